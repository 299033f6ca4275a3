#include "views/AttachDialog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <unistd.h>

#include <chrono>

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

// A program that does not answer in this time (stopped in a debugger) is left out.
constexpr std::chrono::milliseconds kAskTimeout{500};
constexpr int kSocketRole = Qt::UserRole + 1;
constexpr int kPidRole = Qt::UserRole + 2;

QTreeWidget* makeList(const QString& name, const QStringList& headers, QWidget* parent) {
    auto* list = new QTreeWidget(parent);
    list->setObjectName(name);
    list->setHeaderLabels(headers);
    list->setRootIsDecorated(false);
    list->setUniformRowHeights(true);
    list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return list;
}

}  // namespace

AttachDialog::AttachDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Attach to a Program"));
    setObjectName(QStringLiteral("AttachDialog"));
    programs_ = makeList(QStringLiteral("programs"),
                         {tr("Program"), tr("PID"), tr("Started"), tr("Allocator")}, this);
    processes_ = makeList(QStringLiteral("processes"),
                          {tr("Process"), tr("PID"), tr("RSS"), tr("Command line")}, this);
    processes_->header()->setSectionResizeMode(3, QHeaderView::Stretch);
    processFilter_ = new QLineEdit(this);
    processFilter_->setObjectName(QStringLiteral("processFilter"));
    processFilter_->setPlaceholderText(tr("Filter by name, PID or command line"));
    processFilter_->setClearButtonEnabled(true);
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
    // One choice across both lists: choosing in one clears the other.
    for (QTreeWidget* list : {programs_, processes_}) {
        QTreeWidget* other = list == programs_ ? processes_ : programs_;
        connect(list, &QTreeWidget::itemDoubleClicked, this, &QDialog::accept);
        connect(list, &QTreeWidget::currentItemChanged, this,
                [this, other](QTreeWidgetItem* current) {
                    if (current != nullptr) {
                        other->setCurrentItem(nullptr);
                        other->clearSelection();
                    }
                    updateAttachButton();
                });
    }
    connect(processFilter_, &QLineEdit::textChanged, this, &AttachDialog::filterProcesses);
    connect(&listing_, &QFutureWatcher<Listing>::finished, this,
            [this] { show(listing_.result()); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Programs on the live link (stacks, leaks):"), this));
    layout->addWidget(programs_, 1);
    layout->addWidget(
        new QLabel(tr("Any process of yours, sampled from /proc (memory and descriptors over "
                      "time; no stacks: use Launch program or the live link for those):"),
                   this));
    layout->addWidget(processFilter_);
    layout->addWidget(processes_, 2);
    layout->addWidget(hint_);
    layout->addWidget(buttons);
    resize(860, 560);
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
    listing_.setFuture(QtConcurrent::run([] {
        return Listing{LinkDirectory::listPrograms(kAskTimeout), ProcessList::ofThisUser()};
    }));
}

void AttachDialog::show(const Listing& listing) {
    programs_->clear();
    for (const ListedProgram& program : listing.programs) {
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
    showProcesses(listing.processes);
    if (!listing.programs.empty()) {
        programs_->setCurrentItem(programs_->topLevelItem(0));
    }
    hint_->setText(listing.programs.empty()
                       ? tr("No program is listening. A program linked against the PoolScope "
                            "engine listens when started with POOLSCOPE_LISTEN=1; any process "
                            "below can be sampled from /proc.")
                       : tr("Attaching leaves the program running; detaching too."));
    refreshButton_->setEnabled(true);
    updateAttachButton();
    programs_->setFocus();
    emit listed();
}

void AttachDialog::showProcesses(const std::vector<ListedProcess>& processes) {
    processes_->clear();
    const pid_t self = getpid();
    for (const ListedProcess& process : processes) {
        // The window itself is not something to watch from the window.
        if (process.pid == self) {
            continue;
        }
        auto* item = new QTreeWidgetItem(processes_);
        item->setText(0, QString::fromStdString(process.name));
        item->setText(1, QString::number(process.pid));
        item->setText(2, DisplayFormat::bytes(process.residentBytes));
        item->setText(3, QString::fromStdString(process.commandLine));
        item->setToolTip(3, item->text(3));
        item->setData(0, kPidRole, static_cast<qint64>(process.pid));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    filterProcesses(processFilter_->text());
}

void AttachDialog::filterProcesses(const QString& text) {
    for (int row = 0; row < processes_->topLevelItemCount(); ++row) {
        QTreeWidgetItem* item = processes_->topLevelItem(row);
        const bool shown = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive) ||
                           item->text(1) == text ||
                           item->text(3).contains(text, Qt::CaseInsensitive);
        item->setHidden(!shown);
    }
}

void AttachDialog::updateAttachButton() {
    attachButton_->setEnabled(programs_->currentItem() != nullptr ||
                              processes_->currentItem() != nullptr);
}

QString AttachDialog::selectedSocketPath() const {
    const QTreeWidgetItem* item = programs_->currentItem();
    return item == nullptr ? QString() : item->data(0, kSocketRole).toString();
}

pid_t AttachDialog::selectedProcessId() const {
    const QTreeWidgetItem* item = processes_->currentItem();
    return item == nullptr ? 0 : static_cast<pid_t>(item->data(0, kPidRole).toLongLong());
}

int AttachDialog::programCount() const {
    return programs_->topLevelItemCount();
}

int AttachDialog::processCount() const {
    return processes_->topLevelItemCount();
}

}  // namespace poolscope
