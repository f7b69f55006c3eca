// Implementation of the System page.
#include "ui/system_page.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace hone::ui {

namespace {
QString bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(b, 0, 'f', u ? 1 : 0).arg(QLatin1String(units[u]));
}

QTableWidget* makeTable(const QStringList& headers, const QString& name) {
    auto* t = new QTableWidget(0, int(headers.size()));
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->horizontalHeader()->setStretchLastSection(true);
    t->verticalHeader()->setVisible(false);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setWordWrap(true);
    return t;
}
} // namespace

SystemPage::SystemPage(SystemService* service, QWidget* parent)
    : QWidget(parent)
    , service_(service) {
    auto* layout = new QVBoxLayout(this);
    auto* summary = new QGroupBox(tr("Runtime"));
    auto* form = new QFormLayout(summary);
    torch_ = new QLabel(tr("probing…"));
    torch_->setObjectName(QStringLiteral("torchLabel"));
    blas_ = new QLabel;
    blas_->setObjectName(QStringLiteral("blasLabel"));
    dataFolder_ = new QLabel;
    dataFolder_->setObjectName(QStringLiteral("dataFolderLabel"));
    database_ = new QLabel;
    database_->setObjectName(QStringLiteral("databaseLabel"));
    verdict_ = new QLabel;
    verdict_->setObjectName(QStringLiteral("verdictLabel"));
    for (QLabel* l : {torch_, blas_, dataFolder_, database_, verdict_}) {
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setWordWrap(true);
    }
    form->addRow(tr("LibTorch:"), torch_);
    form->addRow(tr("BLAS:"), blas_);
    form->addRow(tr("Data folder:"), dataFolder_);
    form->addRow(tr("Database:"), database_);
    form->addRow(tr("Verdict:"), verdict_);
    layout->addWidget(summary);

    devices_ =
        makeTable({tr("Type"), tr("Name"), tr("Memory"), tr("Details")}, QStringLiteral("devicesTable"));
    auto* devBox = new QGroupBox(tr("Compute devices"));
    (new QVBoxLayout(devBox))->addWidget(devices_);
    layout->addWidget(devBox, 1);

    checks_ = makeTable({tr("Status"), tr("Check"), tr("Finding"), tr("Fix")}, QStringLiteral("checksTable"));
    checks_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    checks_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    checks_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    checks_->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    auto* checkBox = new QGroupBox(tr("Doctor checks"));
    (new QVBoxLayout(checkBox))->addWidget(checks_);
    layout->addWidget(checkBox, 2);

    config_ = new QPlainTextEdit;
    config_->setReadOnly(true);
    config_->setVisible(false);
    config_->setObjectName(QStringLiteral("torchConfig"));
    auto* buttons = new QHBoxLayout;
    refreshButton_ = new QPushButton(tr("&Refresh"));
    refreshButton_->setShortcut(QKeySequence::Refresh);
    refreshButton_->setToolTip(tr("Probe the machine again (F5)"));
    auto* configButton = new QPushButton(tr("Show LibTorch build &configuration"));
    configButton->setCheckable(true);
    connect(configButton, &QPushButton::toggled, config_, &QWidget::setVisible);
    buttons->addWidget(refreshButton_);
    buttons->addWidget(configButton);
    buttons->addStretch();
    layout->addLayout(buttons);
    layout->addWidget(config_, 1);

    connect(refreshButton_, &QPushButton::clicked, this, &SystemPage::refresh);
    connect(service_, &SystemService::snapshotReady, this, &SystemPage::show);
    timer_ = new QTimer(this);
    timer_->setInterval(10000); // memory and disk change while the app runs
    connect(timer_, &QTimer::timeout, this, &SystemPage::refresh);
    timer_->start();
}

int SystemPage::deviceRows() const {
    return devices_->rowCount();
}
int SystemPage::checkRows() const {
    return checks_->rowCount();
}

void SystemPage::refresh() {
    service_->refresh();
}

void SystemPage::show(const hone::SystemSnapshot& snap) {
    const QJsonObject& r = snap.report;
    torch_->setText(tr("%1 (%2 build, %3 threads)")
                        .arg(r.value(QStringLiteral("torch_version")).toString(),
                             r.value(QStringLiteral("torch_build")).toString())
                        .arg(r.value(QStringLiteral("torch_threads")).toInt()));
    blas_->setText(r.value(QStringLiteral("blas")).toString());
    blas_->setToolTip(r.value(QStringLiteral("blas_path")).toString());
    dataFolder_->setText(r.value(QStringLiteral("data_folder")).toString());
    database_->setText(r.value(QStringLiteral("database")).toString());
    const bool blocked = r.value(QStringLiteral("blocks_training")).toBool();
    verdict_->setText(blocked ? tr("Something blocks training — see the failed checks below.")
                              : tr("Ready to train."));

    const QJsonArray devs = r.value(QStringLiteral("devices")).toArray();
    devices_->setRowCount(int(devs.size()));
    for (int i = 0; i < devs.size(); ++i) {
        const QJsonObject d = devs[i].toObject();
        QString details;
        if (d.value(QStringLiteral("type")).toString() == QLatin1String("cpu"))
            details = tr("%1 cores / %2 threads, %3 available")
                          .arg(d.value(QStringLiteral("cores")).toInt())
                          .arg(d.value(QStringLiteral("threads")).toInt())
                          .arg(bytes(d.value(QStringLiteral("memory_available_bytes")).toDouble()));
        else
            details = QStringList{d.value(QStringLiteral("vendor")).toString(),
                                  d.value(QStringLiteral("gfx_target")).toString(),
                                  d.value(QStringLiteral("driver")).toString(),
                                  d.value(QStringLiteral("usable")).toBool() ? tr("usable by LibTorch")
                                                                             : tr("not usable by LibTorch")}
                          .filter(QRegularExpression(QStringLiteral(".+")))
                          .join(QStringLiteral(", "));
        const QStringList cells = {d.value(QStringLiteral("type")).toString(),
                                   d.value(QStringLiteral("name")).toString(),
                                   bytes(d.value(QStringLiteral("memory_bytes")).toDouble()), details};
        for (int c = 0; c < cells.size(); ++c) devices_->setItem(i, c, new QTableWidgetItem(cells[c]));
    }

    const QJsonArray checks = r.value(QStringLiteral("checks")).toArray();
    checks_->setRowCount(int(checks.size()));
    for (int i = 0; i < checks.size(); ++i) {
        const QJsonObject c = checks[i].toObject();
        const bool ok = c.value(QStringLiteral("ok")).toBool();
        const QString severity = c.value(QStringLiteral("severity")).toString();
        auto* status = new QTableWidgetItem(ok                                   ? tr("ok")
                                            : severity == QLatin1String("error") ? tr("FAIL")
                                                                                 : tr("warning"));
        status->setForeground(ok                                   ? QColor(46, 160, 67)
                              : severity == QLatin1String("error") ? QColor(220, 50, 47)
                                                                   : QColor(210, 140, 0));
        checks_->setItem(i, 0, status);
        checks_->setItem(i, 1, new QTableWidgetItem(c.value(QStringLiteral("name")).toString()));
        checks_->setItem(i, 2, new QTableWidgetItem(c.value(QStringLiteral("message")).toString()));
        checks_->setItem(i, 3, new QTableWidgetItem(c.value(QStringLiteral("fix")).toString()));
    }
    devices_->resizeColumnsToContents();
    checks_->resizeRowsToContents();
    config_->setPlainText(snap.torchConfig);
    Q_EMIT updated();
}

} // namespace hone::ui
