// Implementation of the Settings page.
#include "ui/settings_page.h"

#include "common/error.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace hone::ui {

SettingsPage::SettingsPage(Settings* settings, QWidget* parent)
    : QWidget(parent)
    , settings_(settings) {
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;

    dataFolder_ = new QLineEdit;
    dataFolder_->setObjectName(QStringLiteral("dataFolderEdit"));
    dataFolder_->setToolTip(
        tr("Where Hone keeps its database, runs, adapters and exports. Applies after a restart."));
    auto* browse = new QPushButton(tr("&Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Choose the data folder"), dataFolder_->text());
        if (!dir.isEmpty()) dataFolder_->setText(dir);
    });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(dataFolder_, 1);
    folderRow->addWidget(browse);
    auto* folderLabel = new QLabel(tr("&Data folder:"));
    folderLabel->setBuddy(dataFolder_); // a row holding a layout gets no buddy, so the mnemonic needs one
    form->addRow(folderLabel, folderRow);

    device_ = new QComboBox;
    device_->setObjectName(QStringLiteral("deviceCombo"));
    device_->setEditable(true);
    device_->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda:0")});
    device_->setToolTip(
        tr("auto picks the first GPU LibTorch can use, else the CPU. cuda also means AMD GPUs "
           "with a ROCm build of LibTorch."));
    form->addRow(tr("Default &device:"), device_);

    dtype_ = new QComboBox;
    dtype_->setObjectName(QStringLiteral("dtypeCombo"));
    dtype_->addItems(
        {QStringLiteral("auto"), QStringLiteral("f32"), QStringLiteral("bf16"), QStringLiteral("f16")});
    dtype_->setToolTip(
        tr("Compute precision. auto: bf16 where the device supports it, else f32. f16 is a storage "
           "type on the CPU (computed in f32)."));
    form->addRow(tr("Default d&type:"), dtype_);

    language_ = new QComboBox;
    language_->setObjectName(QStringLiteral("languageCombo"));
    language_->addItem(tr("Follow the system"), QString());
    language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
    language_->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    form->addRow(tr("&Language:"), language_);

    theme_ = new QComboBox;
    theme_->setObjectName(QStringLiteral("themeCombo"));
    theme_->addItem(tr("Follow the system"), QStringLiteral("system"));
    theme_->addItem(tr("Light"), QStringLiteral("light"));
    theme_->addItem(tr("Dark"), QStringLiteral("dark"));
    form->addRow(tr("&Theme:"), theme_);
    layout->addLayout(form);

    auto* save = new QPushButton(tr("&Save"));
    save->setObjectName(QStringLiteral("saveSettings"));
    save->setShortcut(QKeySequence::Save);
    connect(save, &QPushButton::clicked, this, &SettingsPage::save);
    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("settingsStatus"));
    status_->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(save);
    row->addWidget(status_, 1);
    layout->addLayout(row);
    layout->addStretch();
    load();
}

void SettingsPage::load() {
    dataFolder_->setText(settings_->dataFolder());
    device_->setCurrentText(settings_->defaultDevice());
    dtype_->setCurrentText(settings_->defaultDtype());
    language_->setCurrentIndex(std::max(0, language_->findData(settings_->language())));
    theme_->setCurrentIndex(std::max(0, theme_->findData(settings_->theme())));
}

bool SettingsPage::save() {
    try {
        settings_->setDefaultDevice(device_->currentText().trimmed());
        settings_->setDefaultDtype(dtype_->currentText());
        settings_->setLanguage(language_->currentData().toString());
        settings_->setTheme(theme_->currentData().toString());
        if (dataFolder_->text().trimmed() != settings_->dataFolder())
            settings_->setDataFolder(dataFolder_->text().trimmed());
        settings_->sync();
    } catch (const hone::Error& e) {
        status_->setText(tr("Not saved: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    status_->setText(tr("Saved. The data folder, language and theme apply when Hone starts next time."));
    Q_EMIT saved();
    return true;
}

} // namespace hone::ui
