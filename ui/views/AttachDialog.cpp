#include "views/AttachDialog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <chrono>

namespace poolscope {

namespace {

// A program that does not answer in this time (stopped in a debugger) is left out.
constexpr std::chrono::milliseconds kAskTimeout{500};
constexpr int kSocketRole = Qt::UserRole + 1;

}  // namespace

AttachDialog::AttachDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Attach to a Program"));
    setObjectName(QStringLiteral("AttachDialog"));
    programs_ = new QTreeWidget(this);
    programs_->setObjectName(QStringLiteral("programs"));
    programs_->setHeaderLabels({tr("Program"), tr("PID"), tr("Started"), tr("Allocator")});
    programs_->setRootIsDecorated(false);
    programs_->setUniformRowHeights(true);
    programs_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    hint_ = new QLabel(this);
    hint_->setWordWrap(true);
    hint_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    attachButton_ = buttons->addButton(tr("&Attach"), QDialogButtonBox::AcceptRole);
    attachButton_->setDefault(true);
    refreshButton_ = buttons->addButton(tr("&Refresh"), QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(refreshButton_, &QPushButton::clicked, this, &AttachDialog::refresh);
    connect(programs_, &QTreeWidget::itemDoubleClicked, this, &QDialog::accept);
    connect(programs_, &QTreeWidget::currentItemChanged, this,
            [this] { attachButton_->setEnabled(programs_->currentItem() != nullptr); });
    connect(&listing_, &QFutureWatcher<std::vector<ListedProgram>>::finished, this,
            [this] { show(listing_.result()); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(programs_);
    layout->addWidget(hint_);
    layout->addWidget(buttons);
    resize(760, 320);
    refresh();
}

void AttachDialog::refresh() {
    if (listing_.isRunning()) {
        return;
    }
    refreshButton_->setEnabled(false);
    attachButton_->setEnabled(false);
    hint_->setText(
        tr("Looking for programs in %1…").arg(QString::fromStdString(LinkDirectory::path())));
    listing_.setFuture(QtConcurrent::run([] { return LinkDirectory::listPrograms(kAskTimeout); }));
}

void AttachDialog::show(const std::vector<ListedProgram>& programs) {
    programs_->clear();
    for (const ListedProgram& program : programs) {
        auto* item = new QTreeWidgetItem(programs_);
        item->setText(0, QString::fromStdString(program.info.program));
        item->setText(1, QString::number(program.info.pid));
        item->setText(
            2, QLocale().toString(QDateTime::fromSecsSinceEpoch(program.info.startTimeSeconds),
                                  QLocale::ShortFormat));
        item->setText(3, program.info.allocator.empty()
                             ? tr("no pool yet")
                             : QString::fromStdString(program.info.allocator));
        item->setData(0, kSocketRole, QString::fromStdString(program.socketPath));
    }
    if (!programs.empty()) {
        programs_->setCurrentItem(programs_->topLevelItem(0));
    }
    hint_->setText(programs.empty()
                       ? tr("No program is listening. A program linked against the PoolScope "
                            "engine listens when started with POOLSCOPE_LISTEN=1.")
                       : tr("Attaching leaves the program running; detaching too."));
    refreshButton_->setEnabled(true);
    attachButton_->setEnabled(programs_->currentItem() != nullptr);
    programs_->setFocus();
    emit listed();
}

QString AttachDialog::selectedSocketPath() const {
    const QTreeWidgetItem* item = programs_->currentItem();
    return item == nullptr ? QString() : item->data(0, kSocketRole).toString();
}

int AttachDialog::programCount() const {
    return programs_->topLevelItemCount();
}

}  // namespace poolscope
