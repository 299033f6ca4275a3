#include "views/StackDetailPane.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "models/DisplayFormat.h"
#include "models/LeakTableModel.h"
#include "models/StackGroupModel.h"

namespace poolscope {

StackDetailPane::StackDetailPane(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* titleRow = new QHBoxLayout;
    titleRow->setContentsMargins(6, 0, 0, 0);
    title_ = new QLabel(this);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    title_->setWordWrap(false);
    title_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    titleRow->addWidget(title_, 1);
    copyButton_ = new QToolButton(this);
    copyButton_->setText(tr("Copy stack"));
    copyButton_->setToolTip(tr("Copy the stack as text to the clipboard"));
    connect(copyButton_, &QToolButton::clicked, this, &StackDetailPane::copyStack);
    titleRow->addWidget(copyButton_);
    auto* shortTemplates = new QCheckBox(tr("Short templates"), this);
    shortTemplates->setObjectName(QStringLiteral("shortTemplates"));
    shortTemplates->setToolTip(tr("Show template arguments as <…>"));
    connect(shortTemplates, &QCheckBox::toggled, this, &StackDetailPane::shortTemplatesToggled);
    titleRow->addWidget(shortTemplates);
    layout->addLayout(titleRow);

    frames_ = new QTreeWidget(this);
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
}

void StackDetailPane::showAllocation(const LeakTableModel& model, const StackGroupModel& names,
                                     std::optional<AllocationId> allocation,
                                     std::optional<StackId> stack) {
    frames_->clear();
    const StackCatalog* catalog = model.stacks().get();
    const LiveAllocation* row =
        allocation && model.table() ? model.table()->find(*allocation) : nullptr;
    QString title;
    if (row != nullptr) {
        QStringList facts{tr("Allocation #%1").arg(row->id), DisplayFormat::bytes(row->bytes),
                          DisplayFormat::tierName(row->tier)};
        const QString image = LeakTableModel::imageText(*row);
        if (!image.isEmpty()) {
            facts.append(image);
        }
        const QString tag = model.tagText(row->tagId);
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
    title_->setText(title);
    title_->setToolTip(title);

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
                                         : names.functionText(frame);
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
    text_ = allocation || stack ? lines.join(QLatin1Char('\n')) + QLatin1Char('\n') : QString();
    copyButton_->setEnabled(!text_.isEmpty());
}

void StackDetailPane::copyStack() {
    if (!text_.isEmpty()) {
        QApplication::clipboard()->setText(text_);
    }
}

}  // namespace poolscope
