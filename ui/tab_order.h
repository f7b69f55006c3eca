// Keyboard navigation of a page: Tab visits every focusable widget in reading order — pane by pane (the panes
// of splitters and the pages of tab widgets, in their order), then top to bottom, left to right — and never
// gets stuck inside a table or a read-only text view (arrow keys move within those).
#pragma once

#include <QList>

class QWidget;

namespace hone::ui {

// The focusable widgets under `root` in reading order, hidden ones included (their place is kept for when
// they show). Inner parts of composite widgets (a spin box's line edit, a view's viewport) are left out.
QList<QWidget*> readingOrder(QWidget* root);

// Turns off Tab-to-next-cell in item views, makes read-only text views pass Tab on, and takes scroll areas
// and charts out of the Tab chain.
void prepareKeyboardNavigation(QWidget* root);

// Where Tab (forward) or Shift+Tab goes from `focus` in the ring `before` + the visible, enabled widgets of
// readingOrder(root); null when `focus` is in neither. Computed at key time from the live layout, so pages
// whose widgets show, hide or move keep a correct order (Qt's static focus chain cannot follow positions).
QWidget* nextInReadingOrder(const QList<QWidget*>& before, QWidget* root, QWidget* focus, bool forward);

} // namespace hone::ui
