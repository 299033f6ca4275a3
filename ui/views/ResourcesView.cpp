#include "views/ResourcesView.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <vector>

namespace poolscope {

namespace {

enum Column { DescriptorColumn, PathColumn, CallColumn, OpenedColumn, ThreadColumn };

}  // namespace

ResourcesView::ResourcesView(QWidget* parent) : QWidget(parent) {
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("resourcesSummary"));
    summary_->setWordWrap(true);
    tree_ = new QTreeWidget(this);
    tree_->setObjectName(QStringLiteral("resourcesTree"));
    tree_->setHeaderLabels(
        {tr("Descriptor"), tr("Path"), tr("Opened by"), tr("Opened at"), tr("Thread")});
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    tree_->setTextElideMode(Qt::ElideMiddle);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(summary_);
    layout->addWidget(tree_, 1);
    setSnapshot(nullptr);
}

void ResourcesView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    const std::shared_ptr<const AllocationTable> table = snapshot ? snapshot->allocations : nullptr;
    const auto paths = snapshot ? snapshot->descriptorPaths : nullptr;
    const std::shared_ptr<const StackCatalog> stacks = snapshot ? snapshot->stacks : nullptr;
    if (snapshot && table == shownTable_ && paths == shownPaths_ && stacks == shownStacks_) {
        return;
    }
    shownTable_ = table;
    shownPaths_ = paths;
    shownStacks_ = stacks;

    std::vector<const LiveAllocation*> open;
    if (table) {
        for (const LiveAllocation& row : table->rows) {
            if (row.tier == MemoryTier::Descriptor) {
                open.push_back(&row);
            }
        }
    }
    // Ordered by descriptor number, as the program sees them; the number is the row's address.
    const auto number = [&table](const LiveAllocation* row) {
        return row->chunkCount > 0 ? table->chunks[row->firstChunk].address : 0;
    };
    std::sort(open.begin(), open.end(),
              [&number](const LiveAllocation* a, const LiveAllocation* b) {
                  return number(a) < number(b);
              });

    tree_->clear();
    const std::int64_t origin = snapshot ? snapshot->timeOriginNanoseconds : 0;
    for (const LiveAllocation* row : open) {
        auto* item = new QTreeWidgetItem(tree_);
        item->setText(DescriptorColumn, QString::number(number(row)));
        QString path;
        if (paths) {
            if (const auto it = paths->find(row->id); it != paths->end()) {
                path = it->second;
            }
        }
        item->setText(PathColumn, path);
        item->setToolTip(PathColumn, path);
        item->setText(CallColumn, stacks ? stacks->tagName(row->tagId) : QString());
        item->setText(
            OpenedColumn,
            tr("%1 s").arg(static_cast<double>(row->createdNanoseconds - origin) / 1e9, 0, 'f', 3));
        item->setText(ThreadColumn, QString::number(row->threadId));
        const std::vector<Frame>* frames = stacks ? stacks->stack(row->stackId) : nullptr;
        if (frames == nullptr) {
            continue;
        }
        for (const Frame& frame : *frames) {
            auto* child = new QTreeWidgetItem(item);
            child->setText(PathColumn, QString::fromStdString(frame.toString()));
            child->setToolTip(PathColumn, QString::fromStdString(frame.module));
        }
    }
    summary_->setText(open.empty()
                          ? tr("No descriptor open. A launched program's files, sockets and pipes "
                               "show here while open; at its end, those it never closed.")
                          : tr("%n descriptor(s) open; unfold one for the stack that opened it.",
                               nullptr, static_cast<int>(open.size())));
}

int ResourcesView::descriptorCount() const {
    return tree_->topLevelItemCount();
}

QStringList ResourcesView::paths() const {
    QStringList list;
    for (int row = 0; row < tree_->topLevelItemCount(); ++row) {
        list.append(tree_->topLevelItem(row)->text(PathColumn));
    }
    return list;
}

QStringList ResourcesView::stackAt(int row) const {
    QStringList frames;
    const QTreeWidgetItem* item = tree_->topLevelItem(row);
    for (int child = 0; item != nullptr && child < item->childCount(); ++child) {
        frames.append(item->child(child)->text(PathColumn));
    }
    return frames;
}

}  // namespace poolscope
