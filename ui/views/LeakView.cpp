#include "views/LeakView.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTextStream>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

#include "models/LeakFilterProxyModel.h"
#include "models/LeakTableModel.h"
#include "models/StackGroupModel.h"

namespace poolscope {

namespace {

// The rows of `after` whose ids `before` does not hold: what was allocated between the two
// snapshots and is still live. Both tables are sorted by id, so one merge pass finds them.
std::shared_ptr<const AllocationTable> allocationsNewSince(const AllocationTable& before,
                                                           const AllocationTable& after) {
    auto diff = std::make_shared<AllocationTable>();
    diff->timeNanoseconds = after.timeNanoseconds;
    auto old = before.rows.begin();
    for (const LiveAllocation& row : after.rows) {
        while (old != before.rows.end() && old->id < row.id) {
            ++old;
        }
        if (old != before.rows.end() && old->id == row.id) {
            continue;
        }
        LiveAllocation copy = row;
        copy.firstChunk = static_cast<std::uint32_t>(diff->chunks.size());
        diff->chunks.insert(diff->chunks.end(), after.chunks.begin() + row.firstChunk,
                            after.chunks.begin() + row.firstChunk + row.chunkCount);
        diff->rows.push_back(copy);
    }
    return diff;
}

std::size_t countFreedSince(const AllocationTable& before, const AllocationTable& after) {
    std::size_t freed = 0;
    for (const LiveAllocation& row : before.rows) {
        freed += after.find(row.id) == nullptr ? 1 : 0;
    }
    return freed;
}

std::int64_t nowOf(const SessionSnapshot& snapshot) {
    return snapshot.timeOriginNanoseconds +
           static_cast<std::int64_t>(snapshot.pool.secondsSinceStart * 1e9);
}

// One CSV field: quoted when it holds a separator, a quote or a line break (RFC 4180).
QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

constexpr std::uint64_t kMinimumSizes[] = {0, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024,
                                           16 * 1024 * 1024};

}  // namespace

LeakView::LeakView(QWidget* parent)
    : QWidget(parent),
      model_(new LeakTableModel(this)),
      proxy_(new LeakFilterProxyModel(this)),
      groups_(new StackGroupModel(this)) {
    proxy_->setSourceModel(model_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* toolbar = new QToolBar(tr("Leaks"), this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    buildToolbar(toolbar);
    layout->addWidget(toolbar);

    status_ = new QLabel(this);
    status_->setTextFormat(Qt::RichText);
    status_->setContentsMargins(6, 0, 6, 0);
    status_->setForegroundRole(QPalette::WindowText);
    connect(status_, &QLabel::linkActivated, this, &LeakView::onStatusLink);
    layout->addWidget(status_);

    table_ = new QTableView(this);
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(LeakTableModel::SizeColumn, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // A million rows: every row the same height, never measured.
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(LeakTableModel::IdColumn, digit * 9);
    header->resizeSection(LeakTableModel::SizeColumn, digit * 11);
    header->resizeSection(LeakTableModel::TierColumn, digit * 17);
    header->resizeSection(LeakTableModel::ImageColumn, digit * 15);
    header->resizeSection(LeakTableModel::ThreadColumn, digit * 9);
    header->resizeSection(LeakTableModel::AgeColumn, digit * 9);
    header->resizeSection(LeakTableModel::TagColumn, digit * 17);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LeakView::onCurrentChanged);
    connect(model_, &LeakTableModel::textChanged, table_->viewport(),
            qOverload<>(&QWidget::update));

    tree_ = new QTreeView(this);
    tree_->setModel(groups_);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    tree_->setTextElideMode(Qt::ElideMiddle);
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(StackGroupModel::NameColumn, QHeaderView::Stretch);
    tree_->header()->resizeSection(StackGroupModel::CountColumn, digit * 10);
    tree_->header()->resizeSection(StackGroupModel::BytesColumn, digit * 12);
    connect(tree_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LeakView::onCurrentChanged);

    pages_ = new QStackedWidget(this);
    pages_->addWidget(table_);
    pages_->addWidget(tree_);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(pages_);
    splitter->addWidget(buildDetailPane());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    const QStringList saved = QSettings().value(suppressionsSettingsKey()).toStringList();
    suppressed_ = QSet<QString>(saved.begin(), saved.end());
    proxy_->setSuppressedSignatures(suppressed_);
    showDetail(std::nullopt, std::nullopt);
    updateActions();
    updateStatus();
}

LeakView::~LeakView() = default;

QString LeakView::suppressionsSettingsKey() {
    return QStringLiteral("LeakView/suppressedStacks");
}

void LeakView::buildToolbar(QToolBar* toolbar) {
    filterEdit_ = new QLineEdit(toolbar);
    filterEdit_->setPlaceholderText(tr("Filter: tag, function, tier"));
    filterEdit_->setClearButtonEnabled(true);
    filterEdit_->setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 24);
    connect(filterEdit_, &QLineEdit::textChanged, this, [this](const QString& text) {
        proxy_->setTextFilter(text);
        filtersChanged();
    });
    toolbar->addWidget(filterEdit_);

    minimumSize_ = new QComboBox(toolbar);
    minimumSize_->setToolTip(tr("Hide allocations smaller than this"));
    for (const std::uint64_t bytes : kMinimumSizes) {
        minimumSize_->addItem(
            bytes == 0 ? tr("Any size") : tr(">= %1").arg(LeakTableModel::bytesText(bytes)),
            QVariant::fromValue<quint64>(bytes));
    }
    connect(minimumSize_, &QComboBox::currentIndexChanged, this, [this](int index) {
        proxy_->setMinimumBytes(minimumSize_->itemData(index).toULongLong());
        filtersChanged();
    });
    toolbar->addWidget(minimumSize_);

    groupAction_ = toolbar->addAction(tr("Group by stack"));
    groupAction_->setCheckable(true);
    groupAction_->setToolTip(tr("Show the allocations grouped by the stack that made them"));
    connect(groupAction_, &QAction::toggled, this, &LeakView::setGroupedByStack);
    toolbar->addSeparator();

    checkpointAction_ = toolbar->addAction(tr("Checkpoint"), this, &LeakView::requestCheckpoint);
    checkpointAction_->setToolTip(tr("Mark now; show only allocations made after the mark"));
    showAllAction_ = toolbar->addAction(tr("Show all"), this, &LeakView::showAllAllocations);
    showAllAction_->setToolTip(tr("Forget the checkpoint mark"));
    toolbar->addSeparator();

    snapshotAAction_ = toolbar->addAction(tr("Snapshot A"), this, &LeakView::takeSnapshotA);
    snapshotAAction_->setToolTip(tr("Keep the live allocations of now as snapshot A"));
    snapshotBAction_ = toolbar->addAction(tr("Snapshot B"), this, &LeakView::takeSnapshotB);
    snapshotBAction_->setToolTip(tr("Keep the live allocations of now as snapshot B"));
    diffAction_ = toolbar->addAction(tr("Diff B - A"));
    diffAction_->setCheckable(true);
    diffAction_->setToolTip(tr("Show the allocations of B that A did not have"));
    connect(diffAction_, &QAction::toggled, this, [this](bool on) { showDiff(on); });
    toolbar->addSeparator();

    suppressAction_ =
        toolbar->addAction(tr("Suppress stack"), this, &LeakView::suppressSelectedStack);
    suppressAction_->setToolTip(
        tr("Hide every allocation of the selected row's stack, from now "
           "on and in later sessions"));
    suppressionsMenu_ = new QMenu(this);
    connect(suppressionsMenu_, &QMenu::aboutToShow, this, &LeakView::rebuildSuppressionsMenu);
    suppressionsButton_ = new QToolButton(toolbar);
    suppressionsButton_->setText(tr("Suppressed"));
    suppressionsButton_->setToolTip(tr("The suppressed stacks; pick one to show it again"));
    suppressionsButton_->setMenu(suppressionsMenu_);
    suppressionsButton_->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(suppressionsButton_);
    toolbar->addSeparator();

    exportAction_ = toolbar->addAction(tr("Export CSV..."), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export leaks as CSV"), QStringLiteral("leaks.csv"), tr("CSV files (*.csv)"));
        if (path.isEmpty()) {
            return;
        }
        QString error;
        if (!exportCsv(path, &error)) {
            QMessageBox::warning(this, tr("Export CSV"), error);
        }
    });
}

QWidget* LeakView::buildDetailPane() {
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* titleRow = new QHBoxLayout;
    titleRow->setContentsMargins(6, 0, 0, 0);
    detailTitle_ = new QLabel(pane);
    detailTitle_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detailTitle_->setWordWrap(false);
    detailTitle_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    QFont bold = detailTitle_->font();
    bold.setBold(true);
    detailTitle_->setFont(bold);
    titleRow->addWidget(detailTitle_, 1);
    copyButton_ = new QToolButton(pane);
    copyButton_->setText(tr("Copy stack"));
    copyButton_->setToolTip(tr("Copy the stack as text to the clipboard"));
    connect(copyButton_, &QToolButton::clicked, this, &LeakView::copyStack);
    titleRow->addWidget(copyButton_);
    auto* shortTemplates = new QCheckBox(tr("Short templates"), pane);
    shortTemplates->setToolTip(tr("Show template arguments as <…>"));
    connect(shortTemplates, &QCheckBox::toggled, this, [this](bool on) {
        groups_->setShortenTemplateArguments(on);
        showDetail(selectedAllocation_, selectedStackId_);
    });
    titleRow->addWidget(shortTemplates);
    layout->addLayout(titleRow);

    frames_ = new QTreeWidget(pane);
    frames_->setRootIsDecorated(false);
    frames_->setUniformRowHeights(true);
    frames_->setAlternatingRowColors(true);
    frames_->setTextElideMode(Qt::ElideRight);
    frames_->setHeaderLabels({tr("#"), tr("Function"), tr("File:line"), tr("Module")});
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    frames_->header()->setStretchLastSection(false);
    frames_->header()->resizeSection(0, digit * 4);
    frames_->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    frames_->header()->resizeSection(2, digit * 28);
    frames_->header()->resizeSection(3, digit * 22);
    layout->addWidget(frames_, 1);
    return pane;
}

void LeakView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot || snapshot == snapshot_) {
        return;
    }
    snapshot_ = snapshot;
    if (timeOrigin_ != snapshot->timeOriginNanoseconds) {
        timeOrigin_ = snapshot->timeOriginNanoseconds;
        if (timeRange_) {
            proxy_->setTimeRange(timeRange_->first, timeRange_->second, timeOrigin_);
        }
    }
    if (!diffShown_) {
        applyTable(snapshot->allocations, snapshot->stacks, nowOf(*snapshot));
    }
    updateActions();
}

void LeakView::applyTable(std::shared_ptr<const AllocationTable> table,
                          std::shared_ptr<const StackCatalog> stacks, std::int64_t nowNanoseconds) {
    if (table == model_->table()) {
        model_->setData(std::move(table), std::move(stacks), nowNanoseconds);
        return;
    }
    // A new table resets the model: keep the reader's place (scroll and selection) by id.
    const int scroll = table_->verticalScrollBar()->value();
    tableBytes_ = 0;
    if (table) {
        for (const LiveAllocation& row : table->rows) {
            tableBytes_ += row.bytes;
        }
    }
    model_->setData(std::move(table), std::move(stacks), nowNanoseconds);
    table_->verticalScrollBar()->setValue(scroll);
    if (pages_->currentWidget() == tree_) {
        refreshGroups();
    }
    if (selectedAllocation_) {
        selectAllocation(*selectedAllocation_);
    }
    updateStatus();
}

void LeakView::filtersChanged() {
    if (pages_->currentWidget() == tree_) {
        refreshGroups();
    }
    if (selectedAllocation_) {
        selectAllocation(*selectedAllocation_);
    }
    updateStatus();
}

void LeakView::refreshGroups() {
    groups_->setData(model_->table(), model_->stacks(),
                     [this](int row) { return proxy_->acceptsSourceRow(model_->modelRow(row)); });
}

void LeakView::setGroupedByStack(bool grouped) {
    if (grouped == isGroupedByStack()) {
        return;
    }
    if (grouped) {
        refreshGroups();
        pages_->setCurrentWidget(tree_);
    } else {
        pages_->setCurrentWidget(table_);
        groups_->setData(nullptr, nullptr);  // nobody looks: drop the groups' row lists
    }
    const QSignalBlocker blocker(groupAction_);
    groupAction_->setChecked(grouped);
    if (selectedAllocation_) {
        selectAllocation(*selectedAllocation_);
    }
}

bool LeakView::isGroupedByStack() const {
    return pages_->currentWidget() == tree_;
}

void LeakView::setFilterText(const QString& text) {
    filterEdit_->setText(text);
}

void LeakView::setMinimumBytes(std::uint64_t bytes) {
    const auto* it = std::find(std::begin(kMinimumSizes), std::end(kMinimumSizes), bytes);
    if (it != std::end(kMinimumSizes)) {
        minimumSize_->setCurrentIndex(static_cast<int>(it - std::begin(kMinimumSizes)));
        return;
    }
    proxy_->setMinimumBytes(bytes);
    filtersChanged();
}

void LeakView::setTimeRange(double fromSeconds, double toSeconds) {
    timeRange_ = std::minmax(fromSeconds, toSeconds);
    proxy_->setTimeRange(timeRange_->first, timeRange_->second, timeOrigin_);
    filtersChanged();
}

void LeakView::clearTimeRange() {
    timeRange_.reset();
    proxy_->clearTimeRange();
    filtersChanged();
}

void LeakView::requestCheckpoint() {
    const AllocationTable* table = snapshot_ ? snapshot_->allocations.get() : nullptr;
    checkpointMark_ = table != nullptr && !table->rows.empty() ? table->rows.back().id : 0;
    checkpointLabel_ = tr("checkpoint %1").arg(++checkpointCount_);
    proxy_->setCheckpointMark(*checkpointMark_);
    filtersChanged();
    updateActions();
    emit checkpointRequested(checkpointLabel_);
}

void LeakView::showAllAllocations() {
    checkpointMark_.reset();
    proxy_->setCheckpointMark(0);
    filtersChanged();
    updateActions();
}

void LeakView::takeSnapshotA() {
    snapshotA_ = snapshot_;
    updateActions();
    updateStatus();
}

void LeakView::takeSnapshotB() {
    snapshotB_ = snapshot_;
    updateActions();
    updateStatus();
}

bool LeakView::showDiff(bool on) {
    const bool possible =
        snapshotA_ && snapshotB_ && snapshotA_->allocations && snapshotB_->allocations;
    on = on && possible;
    diffShown_ = on;
    if (on) {
        const std::shared_ptr<const AllocationTable> diff =
            allocationsNewSince(*snapshotA_->allocations, *snapshotB_->allocations);
        diffBytes_ = 0;
        for (const LiveAllocation& row : diff->rows) {
            diffBytes_ += row.bytes;
        }
        diffFreedCount_ = countFreedSince(*snapshotA_->allocations, *snapshotB_->allocations);
        applyTable(diff, snapshotB_->stacks, nowOf(*snapshotB_));
    } else if (snapshot_) {
        applyTable(snapshot_->allocations, snapshot_->stacks, nowOf(*snapshot_));
    }
    const QSignalBlocker blocker(diffAction_);
    diffAction_->setChecked(on);
    updateActions();
    updateStatus();
    return on;
}

std::optional<StackId> LeakView::selectedStack() const {
    return selectedStackId_;
}

void LeakView::suppressSelectedStack() {
    const std::optional<StackId> stack = selectedStack();
    const std::vector<Frame>* frames =
        stack && model_->stacks() ? model_->stacks()->stack(*stack) : nullptr;
    if (frames == nullptr || frames->empty()) {
        return;
    }
    suppressed_.insert(LeakTableModel::stackSignature(*frames));
    saveSuppressions();
    proxy_->setSuppressedSignatures(suppressed_);
    filtersChanged();
    updateActions();
}

void LeakView::clearSuppressions() {
    suppressed_.clear();
    saveSuppressions();
    proxy_->setSuppressedSignatures(suppressed_);
    filtersChanged();
    updateActions();
}

QSet<QString> LeakView::suppressedStackSignatures() const {
    return suppressed_;
}

void LeakView::saveSuppressions() const {
    QStringList list(suppressed_.begin(), suppressed_.end());
    list.sort();
    QSettings settings;
    if (list.isEmpty()) {
        settings.remove(suppressionsSettingsKey());
    } else {
        settings.setValue(suppressionsSettingsKey(), list);
    }
}

void LeakView::rebuildSuppressionsMenu() {
    suppressionsMenu_->clear();
    QStringList list(suppressed_.begin(), suppressed_.end());
    list.sort();
    if (list.isEmpty()) {
        suppressionsMenu_->addAction(tr("No stack is suppressed"))->setEnabled(false);
        return;
    }
    for (const QString& signature : list) {
        const QStringList functions = signature.split(QLatin1Char('\n'));
        const QString title =
            functions.size() > 1
                ? tr("Show again: %1 (+%2 frames)").arg(functions.front()).arg(functions.size() - 1)
                : tr("Show again: %1").arg(functions.front());
        QAction* action = suppressionsMenu_->addAction(title);
        action->setToolTip(signature);
        connect(action, &QAction::triggered, this, [this, signature] {
            suppressed_.remove(signature);
            saveSuppressions();
            proxy_->setSuppressedSignatures(suppressed_);
            filtersChanged();
            updateActions();
        });
    }
    suppressionsMenu_->addSeparator();
    suppressionsMenu_->addAction(tr("Clear all suppressions"), this, &LeakView::clearSuppressions);
}

void LeakView::updateActions() {
    showAllAction_->setEnabled(checkpointMark_.has_value());
    snapshotAAction_->setText(
        snapshotA_ ? tr("Snapshot A (%1)")
                         .arg(snapshotA_->allocations ? snapshotA_->allocations->rows.size() : 0)
                   : tr("Snapshot A"));
    snapshotBAction_->setText(
        snapshotB_ ? tr("Snapshot B (%1)")
                         .arg(snapshotB_->allocations ? snapshotB_->allocations->rows.size() : 0)
                   : tr("Snapshot B"));
    diffAction_->setEnabled(snapshotA_ && snapshotB_);
    suppressAction_->setEnabled(selectedStackId_.has_value() && *selectedStackId_ != 0);
    suppressionsButton_->setText(
        suppressed_.isEmpty() ? tr("Suppressed") : tr("Suppressed (%1)").arg(suppressed_.size()));
}

void LeakView::updateStatus() {
    const int total = model_->rowCount();
    QStringList parts;
    if (diffShown_) {
        parts.append(tr("<b>Diff:</b> %1 allocations (%2) live in B that A did not have; %3 of "
                        "A's gone by B")
                         .arg(total)
                         .arg(LeakTableModel::bytesText(diffBytes_))
                         .arg(diffFreedCount_));
        if (visibleRowCount() != total) {
            parts.append(tr("%1 shown").arg(visibleRowCount()));
        }
        parts.append(tr("<a href=\"live\">back to live</a>"));
    } else {
        parts.append(tr("%1 of %2 undisposed allocations shown (%3 live)")
                         .arg(visibleRowCount())
                         .arg(total)
                         .arg(LeakTableModel::bytesText(tableBytes_)));
    }
    if (checkpointMark_) {
        parts.append(tr("since %1 <a href=\"show-all\">show all</a>").arg(checkpointLabel_));
    }
    if (timeRange_) {
        parts.append(tr("created %1 s to %2 s <a href=\"clear-time\">clear</a>")
                         .arg(timeRange_->first, 0, 'f', 2)
                         .arg(timeRange_->second, 0, 'f', 2));
    }
    if (!suppressed_.isEmpty()) {
        parts.append(tr("%n stack(s) suppressed", nullptr, static_cast<int>(suppressed_.size())));
    }
    status_->setText(parts.join(QStringLiteral(" &nbsp;·&nbsp; ")));
}

void LeakView::onStatusLink(const QString& link) {
    if (link == QLatin1String("live")) {
        showDiff(false);
    } else if (link == QLatin1String("show-all")) {
        showAllAllocations();
    } else if (link == QLatin1String("clear-time")) {
        clearTimeRange();
    }
}

int LeakView::visibleRowCount() const {
    return proxy_->rowCount();
}

void LeakView::onCurrentChanged() {
    std::optional<AllocationId> allocation;
    std::optional<StackId> stack;
    if (isGroupedByStack()) {
        const QModelIndex current = tree_->selectionModel()->currentIndex();
        allocation = groups_->allocationAt(current);
        stack = groups_->stackAt(current);
    } else {
        const QModelIndex current = proxy_->mapToSource(table_->selectionModel()->currentIndex());
        if (current.isValid()) {
            const LiveAllocation& row = model_->allocationAt(current.row());
            allocation = row.id;
            stack = row.stackId;
        }
    }
    if (!allocation && !stack) {
        return;  // a reset cleared the selection: keep showing what was selected
    }
    selectedAllocation_ = allocation;
    selectedStackId_ = stack;
    showDetail(allocation, stack);
    updateActions();
    if (allocation && !selectingQuietly_) {
        emit allocationSelected(*allocation);
    }
}

void LeakView::selectAllocation(AllocationId id) {
    selectingQuietly_ = true;
    if (isGroupedByStack()) {
        const QModelIndex index = groups_->indexOfAllocation(id);
        if (index.isValid()) {
            tree_->expand(index.parent());
            tree_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        } else {
            tree_->selectionModel()->clearSelection();
        }
    } else {
        const int sourceRow = model_->rowOfAllocation(id);
        const QModelIndex index =
            sourceRow < 0 ? QModelIndex() : proxy_->mapFromSource(model_->index(sourceRow, 0));
        if (index.isValid()) {
            table_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        } else {
            table_->selectionModel()->clearSelection();
        }
    }
    selectingQuietly_ = false;
}

void LeakView::setSelectedAllocation(quint64 id) {
    if (selectedAllocation_ == id) {
        return;
    }
    selectedAllocation_ = id;
    const LiveAllocation* row = model_->table() ? model_->table()->find(id) : nullptr;
    selectedStackId_ = row != nullptr ? std::optional<StackId>(row->stackId) : std::nullopt;
    selectAllocation(id);
    if (isGroupedByStack()) {
        const QModelIndex index = groups_->indexOfAllocation(id);
        if (index.isValid()) {
            tree_->scrollTo(index);
        }
    } else {
        const int sourceRow = model_->rowOfAllocation(id);
        if (sourceRow >= 0) {
            const QModelIndex index = proxy_->mapFromSource(model_->index(sourceRow, 0));
            if (index.isValid()) {
                table_->scrollTo(index, QAbstractItemView::PositionAtCenter);
            }
        }
    }
    showDetail(selectedAllocation_, selectedStackId_);
    updateActions();
}

void LeakView::showDetail(std::optional<AllocationId> allocation, std::optional<StackId> stack) {
    frames_->clear();
    const StackCatalog* catalog = model_->stacks().get();
    const LiveAllocation* row =
        allocation && model_->table() ? model_->table()->find(*allocation) : nullptr;
    QString title;
    if (row != nullptr) {
        QStringList facts{tr("Allocation #%1").arg(row->id), LeakTableModel::bytesText(row->bytes),
                          LeakTableModel::tierText(row->tier)};
        const QString image = LeakTableModel::imageText(*row);
        if (!image.isEmpty()) {
            facts.append(image);
        }
        const QString tag = model_->tagText(row->tagId);
        if (!tag.isEmpty()) {
            facts.append(tr("tag %1").arg(tag));
        }
        facts.append(tr("thread %1").arg(row->threadId));
        if (row->releasedWithoutDispose) {
            facts.append(tr("released without dispose"));
        }
        title = facts.join(QStringLiteral(", "));
    } else if (allocation) {
        title = tr("Allocation #%1 (no longer live)").arg(*allocation);
    } else if (stack) {
        title = tr("Stack %1").arg(*stack);
    } else {
        title = tr("Select an allocation to see the stack that made it");
    }
    detailTitle_->setText(title);
    detailTitle_->setToolTip(title);

    QStringList lines{title};
    const std::vector<Frame>* frames =
        stack && catalog != nullptr ? catalog->stack(*stack) : nullptr;
    if (stack && *stack == 0) {
        lines.append(tr("  (no stack captured: stacks are captured while someone watches)"));
    } else if (stack && frames == nullptr) {
        lines.append(tr("  (stack %1 not symbolized)").arg(*stack));
    }
    if (frames != nullptr) {
        QList<QTreeWidgetItem*> items;
        items.reserve(static_cast<qsizetype>(frames->size()));
        int number = 0;
        for (const Frame& frame : *frames) {
            const QString function = frame.function.empty()
                                         ? QStringLiteral("0x%1").arg(frame.address, 0, 16)
                                         : QString::fromStdString(frame.function);
            const QString file = QString::fromStdString(frame.file);
            const QString module = QString::fromStdString(frame.module);
            const QString location =
                file.isEmpty() ? QString() : QStringLiteral("%1:%2").arg(file).arg(frame.line);
            auto* item =
                new QTreeWidgetItem({QString::number(number), function,
                                     // By name; in full in the tooltips and the copied text.
                                     file.isEmpty() ? QString()
                                                    : QStringLiteral("%1:%2")
                                                          .arg(file.section(QLatin1Char('/'), -1))
                                                          .arg(frame.line),
                                     module.section(QLatin1Char('/'), -1)});
            item->setToolTip(1, function);
            item->setToolTip(2, location);
            item->setToolTip(3, module);
            items.append(item);
            QString line = QStringLiteral("  #%1 %2").arg(number).arg(function);
            if (!location.isEmpty()) {
                line += QStringLiteral(" at %1").arg(location);
            }
            if (!module.isEmpty()) {
                line += QStringLiteral(" [%1]").arg(module);
            }
            lines.append(line);
            ++number;
        }
        frames_->addTopLevelItems(items);
    }
    detailText_ =
        allocation || stack ? lines.join(QLatin1Char('\n')) + QLatin1Char('\n') : QString();
    copyButton_->setEnabled(!detailText_.isEmpty());
}

QString LeakView::detailStackText() const {
    return detailText_;
}

void LeakView::copyStack() {
    if (!detailText_.isEmpty()) {
        QApplication::clipboard()->setText(detailText_);
    }
}

bool LeakView::exportCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error != nullptr) {
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    QTextStream out(&file);
    out << "id,bytes,tier,image,thread,age_seconds,tag,top_frame,released_without_dispose\n";
    const int rows = proxy_->rowCount();
    for (int i = 0; i < rows; ++i) {
        const int sourceRow = proxy_->mapToSource(proxy_->index(i, 0)).row();
        const LiveAllocation& row = model_->allocationAt(sourceRow);
        const double age =
            static_cast<double>(model_->nowNanoseconds() - row.createdNanoseconds) / 1e9;
        out << row.id << ',' << row.bytes << ',' << csvField(LeakTableModel::tierText(row.tier))
            << ',' << csvField(LeakTableModel::imageText(row)) << ',' << row.threadId << ','
            << QString::number(std::max(age, 0.0), 'f', 3) << ','
            << csvField(model_->tagText(row.tagId)) << ','
            << csvField(model_->topFrameText(row.stackId)) << ','
            << (row.releasedWithoutDispose ? "true" : "false") << '\n';
    }
    out.flush();
    if (out.status() != QTextStream::Ok || !file.commit()) {
        if (error != nullptr) {
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

}  // namespace poolscope
