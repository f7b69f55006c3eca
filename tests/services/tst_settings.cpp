// Settings round-trip through QSettings, validation of values, and where the data folder comes from
// (HONE_HOME, the folder chosen in Settings, the XDG default).
#include "common/test_support.h"
#include "services/settings.h"

#include "common/error.h"

using namespace hone;

class TestSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() {
        // A fresh set of folders for every test function.
        configDir_ = std::make_unique<QTemporaryDir>();
        dataDir_ = std::make_unique<QTemporaryDir>();
        homeDir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(configDir_->isValid() && dataDir_->isValid() && homeDir_->isValid());
        qputenv("XDG_CONFIG_HOME", configDir_->path().toLocal8Bit());
        qputenv("XDG_DATA_HOME", dataDir_->path().toLocal8Bit());
        qputenv("HONE_HOME", homeDir_->path().toLocal8Bit());
    }

    void roundTrip() {
        const AppPaths paths = resolveAppPaths();
        QCOMPARE(QString::fromStdString(paths.home), homeDir_->path());
        QCOMPARE(paths.source, std::string("HONE_HOME"));
        QCOMPARE(QString::fromStdString(paths.database), homeDir_->path() + "/hone.db");
        {
            Settings s(paths);
            QCOMPARE(s.defaultDevice(), QStringLiteral("auto"));
            s.setDefaultDevice("cuda:1");
            s.setDefaultDtype("bf16");
            s.setLanguage("de");
            s.setTheme("dark");
            s.sync();
        }
        Settings again(paths);
        QCOMPARE(again.defaultDevice(), QStringLiteral("cuda:1"));
        QCOMPARE(again.defaultDtype(), QStringLiteral("bf16"));
        QCOMPARE(again.language(), QStringLiteral("de"));
        QCOMPARE(again.theme(), QStringLiteral("dark"));
        QVERIFY(QFile::exists(homeDir_->path() + "/settings.ini"));
    }

    void rejectsBadValues() {
        Settings s(resolveAppPaths());
        QVERIFY_THROWS_EXCEPTION(Error, s.setDefaultDevice("tpu"));
        QVERIFY_THROWS_EXCEPTION(Error, s.setDefaultDevice("cuda:x"));
        QVERIFY_THROWS_EXCEPTION(Error, s.setDefaultDtype("int4"));
        QVERIFY_THROWS_EXCEPTION(Error, s.setTheme("purple"));
        QCOMPARE(s.defaultDevice(), QStringLiteral("auto"));
    }

    void dataFolderChoiceAppliesWithoutHoneHome() {
        qunsetenv("HONE_HOME");
        AppPaths def = resolveAppPaths();
        QCOMPARE(def.source, std::string("default"));
        QCOMPARE(QString::fromStdString(def.home), dataDir_->path() + "/hone");
        Settings s(def);
        const QString chosen = homeDir_->path() + "/elsewhere";
        s.setDataFolder(chosen);
        QVERIFY(QFileInfo(chosen).isDir());
        AppPaths after = resolveAppPaths();
        QCOMPARE(after.source, std::string("settings"));
        QCOMPARE(QString::fromStdString(after.home), chosen);
        // HONE_HOME (and --home) still win over the recorded choice.
        qputenv("HONE_HOME", homeDir_->path().toLocal8Bit());
        QCOMPARE(QString::fromStdString(resolveAppPaths().home), homeDir_->path());
    }

private:
    std::unique_ptr<QTemporaryDir> configDir_, dataDir_, homeDir_;
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
