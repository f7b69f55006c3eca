// The model catalog over a fake HF cache (stories260K linked into models--test--stories/snapshots/abc, broken
// and unsupported folders, GGUF files in an added folder) and the Models page on top of it: rows and
// problems, details and memory estimates, the Use button, the Download box's error messages, and a
// screenshot.
#include "common/test_support.h"
#include "services/fake_hub.h" // tests/services: the loopback hub
#include "services/model_catalog.h"
#include "services/settings.h"
#include "ui/models_page.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QtEndian>

using namespace hone;

namespace {
const QStringList kStoryFiles{"config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                              "tokenizer_config.json"};

bool writeFile(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// Parameter count straight from the safetensors header (independent of the catalog's reader).
qint64 headerParameters(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QByteArray lenBytes = f.read(8);
    const qint64 len = qFromLittleEndian<qint64>(lenBytes.constData());
    const QJsonObject h = QJsonDocument::fromJson(f.read(len)).object();
    qint64 total = 0;
    for (auto it = h.begin(); it != h.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        qint64 n = 1;
        for (const QJsonValue d : it.value().toObject().value("shape").toArray()) n *= d.toInteger();
        total += n;
    }
    return total;
}
} // namespace

class TestModelsPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir home_, config_, cache_, userDir_;
    QString stories_;
    QString snapshot_;

    const ModelEntry* find(const QList<ModelEntry>& list, const QString& name) {
        for (const ModelEntry& e : list)
            if (e.name == name) return &e;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid() && config_.isValid() && cache_.isValid() && userDir_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", config_.path().toLocal8Bit());
        qputenv("HOME", home_.path().toLocal8Bit()); // no real ~/.cache/huggingface in the test
        qputenv("HF_HUB_CACHE", cache_.path().toLocal8Bit());
        qunsetenv("HF_HOME");
        stories_ = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(stories_ + "/model.safetensors");
        HONE_REQUIRE_PATH(test::fixture("models/stories260K-gguf"));
        // A good snapshot: symlinks into the fixture, as the hub cache links into blobs/.
        snapshot_ = cache_.path() + "/models--test--stories/snapshots/abc";
        QVERIFY(QDir().mkpath(snapshot_));
        for (const QString& f : kStoryFiles) QVERIFY(QFile::link(stories_ + "/" + f, snapshot_ + "/" + f));
        // Weights missing.
        QVERIFY(QFile::copy(stories_ + "/config.json",
                            (QDir().mkpath(cache_.path() + "/models--test--noweights/snapshots/def"),
                             cache_.path() + "/models--test--noweights/snapshots/def/config.json")));
        // config.json missing.
        QVERIFY(QDir().mkpath(cache_.path() + "/models--test--noconfig/snapshots/123"));
        QVERIFY(QFile::link(stories_ + "/model.safetensors",
                            cache_.path() + "/models--test--noconfig/snapshots/123/model.safetensors"));
        // Unsupported architecture.
        const QString gpt2 = cache_.path() + "/models--test--gpt2/snapshots/456";
        QVERIFY(
            writeFile(gpt2 + "/config.json", R"({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
                           "n_embd": 64})"));
        QVERIFY(QFile::link(stories_ + "/model.safetensors", gpt2 + "/model.safetensors"));
        QVERIFY(QFile::link(stories_ + "/tokenizer.json", gpt2 + "/tokenizer.json"));
        // A chat template in tokenizer_config.json.
        const QString chatty = cache_.path() + "/models--test--chatty/snapshots/789";
        QVERIFY(QDir().mkpath(chatty));
        for (const char* f : {"config.json", "model.safetensors", "tokenizer.json"})
            QVERIFY(QFile::link(stories_ + "/" + f, chatty + "/" + f));
        QVERIFY(writeFile(chatty + "/tokenizer_config.json",
                          R"({"chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}"})"));
        // A user folder with a damaged GGUF next to a real one.
        QVERIFY(QFile::copy(test::fixture("models/stories260K-gguf/stories260K-f32.v3.gguf"),
                            userDir_.path() + "/good.gguf"));
        QFile good(userDir_.path() + "/good.gguf");
        QVERIFY(good.open(QIODevice::ReadOnly));
        QVERIFY(writeFile(userDir_.path() + "/truncated.gguf", good.read(100)));
    }

    void catalogFindsTheCacheAndItsProblems() {
        ModelCatalog catalog;
        catalog.setHfCacheRoots({cache_.path()});
        const QList<ModelEntry> all = catalog.scan();
        QCOMPARE(all.size(), 5);
        const ModelEntry* s = find(all, "test/stories");
        QVERIFY(s);
        QVERIFY2(s->ok(), qPrintable(s->problem));
        QCOMPARE(s->revision, QStringLiteral("abc"));
        QCOMPARE(s->source, QStringLiteral("hf-cache"));
        QCOMPARE(s->path, snapshot_);
        QCOMPARE(s->architecture, QStringLiteral("LlamaForCausalLM"));
        QCOMPARE(s->modelType, QStringLiteral("llama"));
        const qint64 params = headerParameters(stories_ + "/model.safetensors");
        QVERIFY(params > 200000);
        QCOMPARE(s->parameters, params);
        QVERIFY(s->config);
        QCOMPARE(parametersFromConfig(*s->config), params); // tied embeddings: the config formula agrees
        QCOMPARE(s->dtype, QStringLiteral("float32"));
        QCOMPARE(s->contextLength, 512);
        QVERIFY(!s->hasChatTemplate);
        qint64 size = 0;
        for (const QString& f : kStoryFiles) size += QFileInfo(stories_ + "/" + f).size();
        QCOMPARE(s->sizeOnDisk, size);

        const ModelEntry* nw = find(all, "test/noweights");
        QVERIFY(nw && !nw->ok());
        QVERIFY2(nw->problem.contains("No weights") && nw->problem.contains("download"),
                 qPrintable(nw->problem));
        const ModelEntry* nc = find(all, "test/noconfig");
        QVERIFY(nc && !nc->ok());
        QVERIFY2(nc->problem.contains("config.json"), qPrintable(nc->problem));
        const ModelEntry* g = find(all, "test/gpt2");
        QVERIFY(g && !g->ok());
        QVERIFY2(g->problem.contains("gpt2") && g->problem.contains("not supported") &&
                     g->problem.contains("llama"),
                 qPrintable(g->problem));
        QCOMPARE(g->architecture, QStringLiteral("GPT2LMHeadModel"));
        QCOMPARE(g->issue, QStringLiteral("unsupported architecture"));
        QCOMPARE(nw->issue, QStringLiteral("weights missing"));
        QCOMPARE(nc->issue, QStringLiteral("config.json missing"));
        // The same cache added as a user folder is read as a cache.
        QCOMPARE(ModelCatalog::scanUserFolder(cache_.path()).size(), 5);
        const ModelEntry* c = find(all, "test/chatty");
        QVERIFY(c && c->ok());
        QVERIFY(c->hasChatTemplate);
    }

    void catalogReadsGgufAndRemembersFolders() {
        Settings settings(resolveAppPaths());
        ModelCatalog catalog(&settings);
        catalog.setHfCacheRoots({QDir::tempPath() + "/hone-no-such-cache"});
        catalog.addUserFolder(userDir_.path());
        catalog.addUserFolder(userDir_.path()); // once only
        QCOMPARE(ModelCatalog(&settings).userFolders(), QStringList{QDir::cleanPath(userDir_.path())});
        const QList<ModelEntry> all = catalog.scan();
        QCOMPARE(all.size(), 2);
        const ModelEntry* good = nullptr;
        const ModelEntry* bad = nullptr;
        for (const ModelEntry& e : all) (e.path.endsWith("good.gguf") ? good : bad) = &e;
        QVERIFY(good && bad);
        QVERIFY2(good->ok(), qPrintable(good->problem));
        QCOMPARE(good->source, QStringLiteral("gguf"));
        QCOMPARE(good->architecture, QStringLiteral("llama"));
        QCOMPARE(good->dtype, QStringLiteral("F32"));
        QCOMPARE(good->contextLength, 512);
        // Same model as the safetensors: at least its parameters (GGUF may store the output matrix again).
        QVERIFY(good->parameters >= headerParameters(stories_ + "/model.safetensors"));
        QCOMPARE(good->sizeOnDisk, QFileInfo(userDir_.path() + "/good.gguf").size());
        QVERIFY(!bad->ok());
        QVERIFY2(bad->problem.contains("truncated.gguf") && bad->problem.contains("download it again"),
                 qPrintable(bad->problem));
        catalog.removeUserFolder(userDir_.path());
        QVERIFY(ModelCatalog(&settings).userFolders().isEmpty());
    }

    void chatEstimateIsWeightsPlusKvCache() {
        const ModelEntry s = ModelCatalog::inspectFolder(snapshot_);
        QVERIFY(s.config);
        const ChatMemoryEstimate e = estimateChatMemory(*s.config, s.parameters, 2, 256, 2);
        QCOMPARE(e.weights, quint64(s.parameters) * 2);
        // K and V, 5 layers, 4 KV heads of 8 dims, 256 tokens, 2 bytes.
        QCOMPARE(e.kvCache, quint64(2 * 5 * 4 * 8 * 256 * 2));
    }

    void pageListsDetailsAndEstimates() {
        Settings settings(resolveAppPaths());
        ui::ModelsPage page(&settings);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isScanning() && page.model()->rowCount() == 5, 30000);
        auto* m = page.model();
        const int row = m->rowOf(snapshot_);
        QVERIFY(row >= 0);
        QCOMPARE(m->index(row, ui::ModelTableModel::Name).data().toString(), QStringLiteral("test/stories"));
        QCOMPARE(m->index(row, ui::ModelTableModel::Context).data().toString(), QStringLiteral("512"));
        QCOMPARE(m->index(row, ui::ModelTableModel::ChatTemplate).data().toString(), QStringLiteral("no"));
        QCOMPARE(m->index(row, ui::ModelTableModel::Parameters).data().toString(), QStringLiteral("260K"));
        const int broken = m->rowOf(cache_.path() + "/models--test--noweights/snapshots/def");
        QVERIFY(broken >= 0);
        QVERIFY(m->index(broken, ui::ModelTableModel::Status).data().toString().contains("weights missing"));
        QVERIFY(m->index(broken, ui::ModelTableModel::Name)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("No weights"));

        QVERIFY(page.selectModel(snapshot_));
        auto* highlights = page.findChild<QLabel*>("detailsHighlights");
        QVERIFY2(highlights->text().contains("Layers: 5"), qPrintable(highlights->text()));
        QVERIFY(!page.findChild<QLabel*>("detailsProblem")->isVisibleTo(&page));
        auto* seq = page.findChild<QSpinBox*>("seqLenSpin");
        auto* batch = page.findChild<QSpinBox*>("batchSpin");
        seq->setValue(256);
        batch->setValue(1);
        auto* chat = page.findChild<QLabel*>("chatEstimate");
        // f32 as stored: KV cache 2*5*4*8*256*4 bytes = 320 KiB.
        QVERIFY2(chat->text().contains("320.0 KiB") && chat->text().contains("256"),
                 qPrintable(chat->text()));
        auto* train = page.findChild<QLabel*>("trainEstimate");
        const QString small = train->text();
        QVERIFY(small.contains("activations"));
        batch->setValue(64);
        QVERIFY(train->text() != small);
        auto* fit = page.findChild<QLabel*>("fitLabel");
        QVERIFY(!fit->text().isEmpty());
        // With a GPU listed (as the doctor reports it), "auto" compares with that GPU's memory.
        const auto gpu = [](double bytes) {
            return QJsonArray{QJsonObject{{"type", "cpu"}, {"memory_bytes", 8e9}, {"usable", true}},
                              QJsonObject{{"type", "cuda"},
                                          {"name", "Test GPU"},
                                          {"memory_bytes", bytes},
                                          {"usable", true},
                                          {"torch_device", "cuda:0"}}};
        };
        page.setDevices(gpu(80e9));
        QVERIFY2(fit->text().contains("cuda:0 (Test GPU") && fit->text().contains("training fits") &&
                     fit->text().contains("Chat fits"),
                 qPrintable(fit->text()));
        page.setDevices(gpu(64 * 1024 * 1024)); // 64 MiB: less than the device context alone
        QVERIFY2(fit->text().contains("more than the GPU has"), qPrintable(fit->text()));
        settings.setDefaultDevice(QStringLiteral("cuda:1"));
        batch->setValue(2); // re-evaluates with the new setting
        QVERIFY2(fit->text().contains("cuda:1 is not on this machine"), qPrintable(fit->text()));
        settings.setDefaultDevice(QStringLiteral("cpu"));
        batch->setValue(1);
        QVERIFY2(fit->text().startsWith("CPU:"), qPrintable(fit->text()));
        settings.setDefaultDevice(QStringLiteral("auto"));
        batch->setValue(64);
        // Once the layout has caught up with the new text, the long word-wrapped verdict is shown whole.
        QTRY_VERIFY2(fit->height() >= fit->heightForWidth(fit->width()),
                     qPrintable(QStringLiteral("%1 px tall, needs %2")
                                    .arg(fit->height())
                                    .arg(fit->heightForWidth(fit->width()))));
        QVERIFY(page.grab().save(test::artifactsDir() + "/models_page.png"));

        QSignalSpy chosen(&page, &ui::ModelsPage::modelChosen);
        auto* use = page.findChild<QPushButton*>("useModelButton");
        QVERIFY(use->isEnabled());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen[0][0].toString(), snapshot_);

        // A broken model says what is wrong next to it and cannot be chosen.
        QVERIFY(page.selectModel(cache_.path() + "/models--test--noweights/snapshots/def"));
        auto* problem = page.findChild<QLabel*>("detailsProblem");
        QVERIFY(problem->isVisibleTo(&page));
        QVERIFY(problem->text().contains("No weights"));
        QVERIFY(!use->isEnabled());

        // Adding a folder rescans and keeps it for the next start.
        QSignalSpy scanned(&page, &ui::ModelsPage::scanned);
        page.addFolder(userDir_.path());
        QVERIFY(scanned.wait(30000));
        QCOMPARE(m->rowCount(), 7);
        QCOMPARE(ModelCatalog(&settings).userFolders(), QStringList{QDir::cleanPath(userDir_.path())});
        page.catalog()->removeUserFolder(userDir_.path());
        // A single GGUF file can be added too.
        page.addFolder(userDir_.path() + "/good.gguf");
        QVERIFY(scanned.wait(30000));
        QCOMPARE(m->rowCount(), 6);
        QVERIFY(m->rowOf(QDir::cleanPath(userDir_.path() + "/good.gguf")) >= 0);
        page.catalog()->removeUserFolder(userDir_.path() + "/good.gguf");
    }

    void downloadBoxShowsErrors() {
        Settings settings(resolveAppPaths());
        ui::ModelsPage page(&settings);
        auto* id = page.findChild<QLineEdit*>("modelIdEdit");
        auto* status = page.findChild<QLabel*>("downloadStatus");
        auto* download = page.findChild<QPushButton*>("downloadButton");
        id->setText("not a model id");
        QTest::mouseClick(download, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("organisation/name"), 5000);
        QVERIFY(download->isEnabled());
        page.downloader()->setEndpoint("http://127.0.0.1:1");
        id->setText("test/tiny");
        QTest::mouseClick(download, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("Cannot reach"), 15000);
        QVERIFY2(status->text().contains("127.0.0.1:1"), qPrintable(status->text()));
        QVERIFY(download->isEnabled());
        QVERIFY(!page.findChild<QPushButton*>("cancelButton")->isEnabled());
    }

    // Last: adds a model to the cache. Lists the files of a loopback hub serving stories260K, downloads them
    // through the Download box, and the rescan lists and selects the new snapshot as a usable model.
    void downloadBoxFetchesIntoTheCache() {
        test::FakeHub hub;
        hub.repoId = QStringLiteral("test/downloaded");
        for (const QString& f : kStoryFiles) {
            QFile in(stories_ + "/" + f);
            QVERIFY(in.open(QIODevice::ReadOnly));
            hub.files[f] = {in.readAll(), f.endsWith(".safetensors")};
        }
        QVERIFY(hub.listen());
        Settings settings(resolveAppPaths());
        ui::ModelsPage page(&settings);
        page.resize(1400, 900);
        page.show();
        QTRY_VERIFY_WITH_TIMEOUT(!page.isScanning() && page.model()->rowCount() == 5, 30000);
        QCOMPARE(page.downloader()->files().size(), 0);
        page.downloader()->setEndpoint(hub.url());
        page.findChild<QLineEdit*>("modelIdEdit")->setText("test/downloaded");
        auto* files = page.findChild<QListWidget*>("filesList");
        QTest::mouseClick(page.findChild<QPushButton*>("listFilesButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(files->count(), int(kStoryFiles.size()), 10000);
        // Leave one file out: it must not be fetched.
        for (int i = 0; i < files->count(); ++i)
            if (files->item(i)->data(Qt::UserRole).toString() == "generation_config.json")
                files->item(i)->setCheckState(Qt::Unchecked);
        QTest::mouseClick(page.findChild<QPushButton*>("downloadButton"), Qt::LeftButton);
        auto* status = page.findChild<QLabel*>("downloadStatus");
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("Downloaded into"), 30000);
        const QString snap = cache_.path() + "/models--test--downloaded/snapshots/" + hub.commit;
        QTRY_COMPARE_WITH_TIMEOUT(page.selectedPath(), snap, 30000);
        QCOMPARE(page.model()->rowCount(), 6);
        const ModelEntry& e = page.model()->entries()[page.model()->rowOf(snap)];
        QVERIFY2(e.ok(), qPrintable(e.problem));
        QCOMPARE(e.name, QStringLiteral("test/downloaded"));
        QCOMPARE(e.parameters, headerParameters(stories_ + "/model.safetensors"));
        QVERIFY(!QFileInfo::exists(snap + "/generation_config.json"));
        QVERIFY(QFileInfo(snap + "/model.safetensors").isSymLink());
        for (int i = 0; i < files->count(); ++i) // still unticked after the list came again
            QCOMPARE(files->item(i)->checkState() == Qt::Unchecked,
                     files->item(i)->data(Qt::UserRole).toString() == "generation_config.json");
        auto* bar = page.findChild<QProgressBar*>("downloadProgress");
        QCOMPARE(bar->value(), bar->maximum());
        QVERIFY(page.grab().save(test::artifactsDir() + "/models_page_download.png"));
    }
};

QTEST_MAIN(TestModelsPage)
#include "tst_models_page.moc"
