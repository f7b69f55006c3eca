// Implementation of the reading-order Tab chain.
#include "ui/tab_order.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QGraphicsView>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTextEdit>
#include <QWidget>

#include <algorithm>
#include <vector>

namespace hone::ui {

namespace {

bool insideComposite(const QWidget* w, const QWidget* root) {
    for (const QWidget* p = w->parentWidget(); p && p != root; p = p->parentWidget())
        if (qobject_cast<const QAbstractSpinBox*>(p) || qobject_cast<const QComboBox*>(p) ||
            qobject_cast<const QAbstractItemView*>(p))
            return true;
    return false;
}

// A scroll area is a container (its contents take focus and it scrolls to them); a chart has no keyboard use.
bool isPassive(const QWidget* w) {
    return qobject_cast<const QScrollArea*>(w) || qobject_cast<const QGraphicsView*>(w);
}

bool takesTabFocus(const QWidget* w) {
    if (!(w->focusPolicy() & Qt::TabFocus) || w->focusProxy()) return false;
    if (isPassive(w)) return false;
    return true;
}

// Which pane a widget sits in: for every splitter or stacked widget (tab pages) above it, the index of the
// child that holds it, outermost first.
std::vector<int> panePath(const QWidget* w, const QWidget* root) {
    std::vector<int> path;
    const QWidget* child = w;
    for (const QWidget* p = w->parentWidget(); p && child != root; child = p, p = p->parentWidget()) {
        if (const auto* s = qobject_cast<const QSplitter*>(p))
            path.push_back(s->indexOf(const_cast<QWidget*>(child)));
        else if (const auto* st = qobject_cast<const QStackedWidget*>(p))
            path.push_back(st->indexOf(const_cast<QWidget*>(child)));
        if (p == root) break;
    }
    std::reverse(path.begin(), path.end());
    return path;
}

} // namespace

QList<QWidget*> readingOrder(QWidget* root) {
    struct Item {
        QWidget* w;
        std::vector<int> pane;
        int y, x, creation;
    };
    std::vector<Item> items;
    int creation = 0;
    for (QWidget* w : root->findChildren<QWidget*>()) {
        ++creation;
        if (!takesTabFocus(w) || insideComposite(w, root)) continue;
        const QPoint at = w->mapTo(root, QPoint(0, 0));
        items.push_back({w, panePath(w, root), at.y(), at.x(), creation});
    }
    // Widgets on one visual row differ by a few pixels of baseline; treat 8 px as the same row.
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        if (a.pane != b.pane) return a.pane < b.pane;
        if (std::abs(a.y - b.y) > 8) return a.y < b.y;
        if (a.x != b.x) return a.x < b.x;
        return a.creation < b.creation;
    });
    QList<QWidget*> out;
    for (const auto& i : items) out << i.w;
    return out;
}

void prepareKeyboardNavigation(QWidget* root) {
    for (auto* w : root->findChildren<QWidget*>())
        if (isPassive(w)) w->setFocusPolicy(Qt::NoFocus);
    for (auto* view : root->findChildren<QAbstractItemView*>()) view->setTabKeyNavigation(false);
    for (auto* edit : root->findChildren<QPlainTextEdit*>())
        if (edit->isReadOnly()) edit->setTabChangesFocus(true);
    for (auto* edit : root->findChildren<QTextEdit*>())
        if (edit->isReadOnly()) edit->setTabChangesFocus(true);
}

QWidget* nextInReadingOrder(const QList<QWidget*>& before, QWidget* root, QWidget* focus, bool forward) {
    QList<QWidget*> chain = before;
    for (QWidget* w : readingOrder(root))
        if (w->isVisible() && w->isEnabled()) chain << w;
    for (qsizetype i = 0; i < chain.size(); ++i) {
        if (chain[i] != focus && !chain[i]->isAncestorOf(focus)) continue;
        return chain[(i + (forward ? 1 : chain.size() - 1)) % chain.size()];
    }
    return nullptr;
}

} // namespace hone::ui
