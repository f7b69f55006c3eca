// The Data page on real fixtures: alpaca_mixed.jsonl read with stories260K and the alpaca template lists its
// rows and the problems of lines 3, 4, 5 and 7; row 1 renders with exactly the response and EOS trained on;
// the histogram counts every tokenized row and follows the max length; an unsuitable format, a missing file
// and a model without a chat template each end in a clear message; choices are remembered.
#include "common/test_support.h"
#include "services/settings.h"
#include "tokenizer/tokenizer.h"
#include "ui/data_page.h"
#include "ui/theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableView>
#include <QTextBrowser>

#include <map>
#include <set>

using namespace hone;

namespace {

// The dataset's lines parsed independently of Hone: line number -> JSON object, for the lines that are one.
std::map<std::size_t, QJsonObject> objectLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    std::map<std::size_t, QJsonObject> out;
    std::size_t line = 0;
    for (const QByteArray& l : f.readAll().split('\n')) {
        ++line;
        const auto doc = QJsonDocument::fromJson(l);
        if (doc.isObject()) out[line] = doc.object();
    }
    return out;
}

std::set<std::size_t> problemLines(const QStringList& texts) {
    std::set<std::size_t> lines;
    static const QRegularExpression re(QStringLiteral("^line (\\d+): "));
    for (const auto& t : texts)
        if (auto m = re.match(t); m.hasMatch()) lines.insert(m.captured(1).toULongLong());
    return lines;
}

bool waitLoaded(ui::DataPage& page, const QString& path) {
    return QTest::qWaitFor([&] { return !page.isLoading() && page.preview().path == path; }, 60000);
}

} // namespace

class TestDataPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && config_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", config_.path().toLocal8Bit());
        model_ = test::fixture("models/stories260K");
        data_ = test::sourceDir() + "/tests/data/datasets/alpaca_mixed.jsonl";
    }

    void rowsProblemsRenderingAndHistogram() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(resolveAppPaths());
        ui::DataPage page(&settings);
        QAbstractItemModelTester tester(page.rowsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1280, 860);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* tpl = page.findChild<QComboBox*>("templateCombo");
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        page.setModel(model_);
        QSignalSpy chosen(&page, &ui::DataPage::datasetChosen);
        page.openDataset(data_);
        QVERIFY(waitLoaded(page, data_));
        QVERIFY2(page.preview().error.isEmpty(), qPrintable(page.preview().error));
        QVERIFY2(page.preview().tokenized, qPrintable(page.preview().tokenError));
        QCOMPARE(page.preview().format, QStringLiteral("alpaca"));
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toString(), data_);
        QCOMPARE(chosen.at(0).at(2).toString(), QStringLiteral("alpaca"));

        // Rows: every line that is a JSON object, in order; the ones without a usable output are skipped.
        const auto objects = objectLines(data_);
        QVERIFY(objects.size() >= 4);
        auto* model = page.rowsModel();
        QCOMPARE(model->rowCount(), int(objects.size()));
        int r = 0;
        std::size_t usable = 0;
        for (const auto& [line, obj] : objects) {
            QCOMPARE(model->index(r, ui::DatasetRowsModel::LineColumn).data().toULongLong(),
                     qulonglong(line));
            const bool ok = obj.value("output").isString() && obj.value("instruction").isString();
            const QString kind = model->index(r, ui::DatasetRowsModel::KindColumn).data().toString();
            QCOMPARE(kind, ok ? QStringLiteral("conversation") : QStringLiteral("skipped"));
            QVERIFY(model->index(r, ui::DatasetRowsModel::PreviewColumn)
                        .data()
                        .toString()
                        .contains("instruction"));
            usable += ok ? 1 : 0;
            ++r;
        }
        QCOMPARE(usable, std::size_t(3));

        // Problems: the missing output, the non-JSON line, the wrong type and the array, by line.
        const QStringList problems = page.problemTexts();
        QCOMPARE(problemLines(problems), (std::set<std::size_t>{3, 4, 5, 7}));
        for (const auto& p : problems) QVERIFY2(p.size() > 12, qPrintable(p)); // each says why

        // Row 1 (selected first) rendered: the trained tokens are exactly the response and EOS.
        QVERIFY(QTest::qWaitFor([&] { return page.rendered().line == 1 && !page.rendered().pieces.empty(); },
                                30000));
        QVERIFY2(page.rendered().error.isEmpty(), qPrintable(page.rendered().error));
        const auto tok = tok::Tokenizer::load(model_.toStdString());
        const QString eos = QString::fromStdString(*tok.idToToken(*tok.eosId()));
        QString trained, context;
        for (const auto& piece : page.rendered().pieces) (piece.trained ? trained : context) += piece.text;
        QCOMPARE(trained.simplified().remove(' '), objects.at(1).value("output").toString() + eos);
        QVERIFY2(context.contains("### Instruction:\n" + objects.at(1).value("instruction").toString()),
                 qPrintable(context));
        QVERIFY(context.trimmed().endsWith("### Response:"));
        QCOMPARE(page.rendered().trainedTokens,
                 std::size_t(std::count_if(page.rendered().pieces.begin(), page.rendered().pieces.end(),
                                           [](const TokenPiece& t) { return t.trained; })));
        QVERIFY(!page.findChild<QTextBrowser*>("renderedRow")->toPlainText().isEmpty());

        // Histogram: one count per tokenized row, none over the default max length.
        std::vector<int> lengths;
        for (int i = 0; i < model->rowCount(); ++i) {
            const QVariant t = model->index(i, ui::DatasetRowsModel::TokensColumn).data();
            if (!t.toString().isEmpty()) lengths.push_back(t.toInt());
        }
        QCOMPARE(lengths.size(), usable);
        QCOMPARE(page.histogramTotal(), usable);
        QCOMPARE(page.histogramOverMax(), std::size_t(0));
        // A max length below some rows: they count as over it and appear as problems.
        std::sort(lengths.begin(), lengths.end());
        const int cut = lengths[1];
        page.findChild<QSpinBox*>("maxLength")->setValue(cut);
        const auto over =
            std::size_t(std::count_if(lengths.begin(), lengths.end(), [&](int l) { return l > cut; }));
        QVERIFY(over >= 1);
        QCOMPARE(page.histogramTotal(), usable);
        QCOMPARE(page.histogramOverMax(), over);
        QCOMPARE(page.problemTexts().size(), problems.size() + qsizetype(over));
        QVERIFY(page.findChild<QLabel*>("lengthSummary")->text().contains(QString::number(cut)));

        // The longest row, rendered, says that training drops it.
        auto* table0 = page.findChild<QTableView*>("rowsTable");
        for (int i = 0; i < model->rowCount(); ++i)
            if (model->index(i, ui::DatasetRowsModel::TokensColumn).data().toString() ==
                QString::number(lengths.back()))
                table0->selectRow(i);
        QVERIFY(QTest::qWaitFor([&] { return page.rendered().pieces.size() == std::size_t(lengths.back()); },
                                30000));
        QVERIFY2(page.findChild<QLabel*>("renderMessage")->text().contains("drops"),
                 qPrintable(page.findChild<QLabel*>("renderMessage")->text()));

        // Double-clicking a problem selects its row; a line that is no row says so.
        auto* list = page.findChild<QListWidget*>("problemsList");
        auto* table = page.findChild<QTableView*>("rowsTable");
        for (int i = 0; i < list->count(); ++i) {
            const auto line = list->item(i)->data(Qt::UserRole).toULongLong();
            if (line != 5 && line != 4) continue;
            list->scrollToItem(list->item(i));
            const QRect rect = list->visualItemRect(list->item(i));
            QVERIFY(list->viewport()->rect().contains(rect.center()));
            QSignalSpy dbl(list, &QListWidget::itemDoubleClicked);
            QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
            QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, rect.center());
            QCOMPARE(dbl.count(), 1);
            if (line == 5) {
                const auto sel = table->selectionModel()->selectedRows();
                QCOMPARE(sel.size(), 1);
                QCOMPARE(model->index(sel[0].row(), 0).data().toULongLong(), qulonglong(5));
                QVERIFY(page.findChild<QLabel*>("renderMessage")->text().contains("5"));
            } else {
                const QString msg = page.findChild<QLabel*>("renderMessage")->text();
                QVERIFY2(msg.contains("Line 4") && msg.contains("fix it"), qPrintable(msg));
            }
        }
        page.findChild<QSpinBox*>("maxLength")->setValue(2048);
        table->selectRow(0);
        QVERIFY(QTest::qWaitFor([&] { return page.rendered().line == 1 && !page.rendered().pieces.empty(); },
                                30000));
        const QString shot = test::artifactsDir() + "/data_page.png";
        QVERIFY(page.grab().save(shot));
        QVERIFY(QFileInfo(shot).size() > 10000);
        // The highlight follows the palette: on a dark one, trained and context backgrounds stay dark (the
        // light text remains readable) and still differ from each other.
        auto backgrounds = [&] {
            std::set<QString> out;
            const QString html = page.findChild<QTextBrowser*>("renderedRow")->toHtml();
            static const QRegularExpression re(QStringLiteral("background-color:(#[0-9a-fA-F]{6})"));
            for (auto it = re.globalMatch(html); it.hasNext();) out.insert(it.next().captured(1).toLower());
            return out;
        };
        const auto light = backgrounds();
        ui::applyTheme(*qApp, QStringLiteral("dark"));
        QCoreApplication::processEvents();
        QVERIFY(page.palette().color(QPalette::Text).lightness() > 128);
        const auto dark = backgrounds();
        QVERIFY(dark.size() >= 2);
        QVERIFY(dark != light);
        for (const auto& c : dark) QVERIFY2(QColor(c).lightness() < 128, qPrintable(c));
        QVERIFY(page.grab().save(test::artifactsDir() + "/data_page_dark.png"));
        ui::applyTheme(*qApp, QStringLiteral("light"));
    }

    void unsuitableFormatsSayWhatToDo() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(resolveAppPaths());
        ui::DataPage page(&settings);
        page.setModel(model_);
        auto* tpl = page.findChild<QComboBox*>("templateCombo");
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        page.openDataset(data_);
        QVERIFY(waitLoaded(page, data_));
        auto* format = page.findChild<QComboBox*>("formatCombo");
        const int rows = page.rowsModel()->rowCount();
        for (const char* f : {"text", "sharegpt", "messages", "prompt-completion"}) {
            format->setCurrentIndex(format->findData(QString::fromLatin1(f)));
            QVERIFY(QTest::qWaitFor([&] { return !page.isLoading() && page.preview().format == f; }, 60000));
            const QString status = page.statusText();
            QVERIFY2(status.contains(QString::fromLatin1(f)) && status.contains("alpaca") &&
                         status.contains("Format"),
                     qPrintable(status));
            QCOMPARE(page.rowsModel()->rowCount(), rows); // rows stay listed, all skipped
            QCOMPARE(page.histogramTotal(), std::size_t(0));
        }
        QVERIFY(page.grab().save(test::artifactsDir() + "/data_page_wrong_format.png"));
        format->setCurrentIndex(0);
        QVERIFY(
            QTest::qWaitFor([&] { return !page.isLoading() && page.preview().format == "alpaca"; }, 60000));
        QVERIFY(page.preview().error.isEmpty());
    }

    void missingFileAndMissingTemplate() {
        HONE_REQUIRE_PATH(model_);
        Settings settings(resolveAppPaths());
        ui::DataPage page(&settings);
        const QString missing = home_.path() + "/nope.jsonl";
        page.openDataset(missing);
        QVERIFY(waitLoaded(page, missing));
        QVERIFY2(page.statusText().contains("nope.jsonl"), qPrintable(page.statusText()));
        QCOMPARE(page.rowsModel()->rowCount(), 0);

        // stories260K has no chat template: the rows show, the render area says to choose one.
        auto* tpl = page.findChild<QComboBox*>("templateCombo");
        tpl->setCurrentIndex(tpl->findData(QString()));
        page.setModel(model_);
        page.openDataset(data_);
        QVERIFY(waitLoaded(page, data_));
        QVERIFY(page.preview().error.isEmpty());
        QVERIFY(page.rowsModel()->rowCount() > 0);
        const QString msg = page.findChild<QLabel*>("renderMessage")->text();
        QVERIFY2(msg.contains("no chat template") && msg.contains("alpaca"), qPrintable(msg));
        QCOMPARE(page.histogramTotal(), std::size_t(0));
    }

    void droppedFileOpens() {
        Settings settings(resolveAppPaths());
        ui::DataPage page(&settings);
        const QString dropped = home_.path() + "/dropped.jsonl";
        QVERIFY(QFile::copy(data_, dropped));
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(dropped)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&page, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&page, &drop);
        QVERIFY(waitLoaded(page, dropped));
        QCOMPARE(page.rowsModel()->rowCount(), int(objectLines(data_).size()));
        // Without a model the rows still show, and the render area asks for one.
        QVERIFY(page.findChild<QLabel*>("renderMessage")->text().contains("model"));
    }

    void choicesAreRemembered() {
        HONE_REQUIRE_PATH(model_);
        {
            Settings settings(resolveAppPaths());
            ui::DataPage page(&settings);
            auto* format = page.findChild<QComboBox*>("formatCombo");
            format->setCurrentIndex(format->findData(QStringLiteral("alpaca")));
            auto* tpl = page.findChild<QComboBox*>("templateCombo");
            tpl->setCurrentIndex(tpl->findData(QStringLiteral("chatml")));
            page.findChild<QSpinBox*>("maxLength")->setValue(512);
            page.openDataset(data_);
            QVERIFY(waitLoaded(page, data_));
            settings.sync();
        }
        Settings settings(resolveAppPaths());
        ui::DataPage page(&settings);
        QCOMPARE(page.findChild<QComboBox*>("formatCombo")->currentData().toString(),
                 QStringLiteral("alpaca"));
        QCOMPARE(page.findChild<QComboBox*>("templateCombo")->currentData().toString(),
                 QStringLiteral("chatml"));
        QCOMPARE(page.maxSeqLen(), 512);
        QVERIFY(waitLoaded(page, data_)); // the last file opens again
        QCOMPARE(page.rowsModel()->rowCount(), int(objectLines(data_).size()));
        // chatml on stories260K: the two added tokens are trained on with the answer.
        page.setModel(model_);
        QVERIFY(QTest::qWaitFor([&] { return !page.isLoading() && page.preview().tokenized; }, 60000));
        QVERIFY(QTest::qWaitFor([&] { return !page.rendered().pieces.empty(); }, 30000));
        QString trained;
        for (const auto& piece : page.rendered().pieces)
            if (piece.trained) trained += piece.text;
        QVERIFY2(trained.contains("Blue.") && trained.contains("<|im_end|>"), qPrintable(trained));
    }

private:
    QTemporaryDir home_, config_;
    QString model_, data_;
};

QTEST_MAIN(TestDataPage)
#include "tst_data_page.moc"
