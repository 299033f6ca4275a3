#include "views/SessionStatusBar.h"

#include <QLabel>
#include <QProgressBar>

#include <algorithm>

#include "models/DisplayFormat.h"
#include "session/SessionSnapshot.h"

namespace poolscope {

SessionStatusBar::SessionStatusBar(QWidget* parent) : QStatusBar(parent) {
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(180);
    progress_->setTextVisible(true);
    stateLabel_ = new QLabel(tr("Live"), this);
    eventsLabel_ = new QLabel(this);
    droppedLabel_ = new QLabel(this);
    symbolsLabel_ = new QLabel(this);
    undisposedLabel_ = new QLabel(this);
    bytesLabel_ = new QLabel(this);
    eventsLabel_->setToolTip(tr("Engine events handled per second"));
    droppedLabel_->setToolTip(tr("Events lost because the session fell behind"));
    symbolsLabel_->setToolTip(tr("Stack frames whose function could not be named"));
    undisposedLabel_->setToolTip(tr("Allocations whose owner has not called dispose"));
    bytesLabel_->setToolTip(tr("Pool bytes rented / retained, and bytes outside the pool"));
    addWidget(stateLabel_);
    addWidget(progress_);
    for (QLabel* label :
         {eventsLabel_, droppedLabel_, symbolsLabel_, undisposedLabel_, bytesLabel_}) {
        addPermanentWidget(label);
    }
}

void SessionStatusBar::setState(const QString& text) {
    stateLabel_->setText(text);
}

void SessionStatusBar::showSnapshot(const SessionSnapshot& snapshot) {
    const PoolSnapshot& pool = snapshot.pool;
    progress_->setVisible(pool.workloadRunning || pool.iterationsPlanned > 0);
    progress_->setRange(0, std::max(pool.iterationsPlanned, 1));
    progress_->setValue(std::min(pool.iterationsCompleted, std::max(pool.iterationsPlanned, 1)));
    progress_->setFormat(snapshot.fromRecording ? tr("read %p%") : tr("%v / %m"));
    eventsLabel_->setText(tr("%L1 events/s").arg(snapshot.eventsPerSecond, 0, 'f', 0));
    droppedLabel_->setText(tr("%L1 dropped").arg(pool.eventsDropped));
    symbolsLabel_->setText(
        tr("%L1 missing symbols").arg(snapshot.stacks ? snapshot.stacks->missingSymbols : 0));
    // Per module, why frames went unnamed: no symbol table, or no debug info to install.
    QStringList why;
    if (snapshot.stacks) {
        for (const ModuleSymbolStatus& status : snapshot.stacks->missingSymbolModules) {
            why.append(tr("%1: %L2 unnamed, %L3 without source lines (%4)")
                           .arg(QString::fromStdString(status.module))
                           .arg(status.unnamedFrames)
                           .arg(status.framesWithoutSource)
                           .arg(QString::fromStdString(status.reason)));
        }
    }
    symbolsLabel_->setToolTip(why.isEmpty() ? tr("Stack frames whose function could not be named")
                                            : why.join(QLatin1Char('\n')));
    // The undisposed allocations and the unpooled bytes are the allocation table's, which the
    // leak table and the pool map's strips show from the same snapshot: the figures agree at
    // every frame, even while the table lags the pool's counts by a refresh.
    const AllocationTable* table = snapshot.allocations.get();
    undisposedLabel_->setText(tr("%L1 undisposed").arg(table != nullptr ? table->rows.size() : 0));
    const std::uint64_t chunkBytes = static_cast<std::uint64_t>(pool.chunkBytes);
    bytesLabel_->setText(
        tr("pool %1 rented / %2 retained · unpooled %3")
            .arg(DisplayFormat::bytes(static_cast<std::uint64_t>(pool.rentedChunks) * chunkBytes),
                 DisplayFormat::bytes(static_cast<std::uint64_t>(pool.retainedChunks) * chunkBytes),
                 DisplayFormat::bytes(table != nullptr ? table->unpooledBytes : 0)));
    if (pool.workloadRunning && !snapshot.fromRecording) {
        stateLabel_->setText(snapshot.phase.isEmpty() ? tr("Running") : snapshot.phase);
    }
}

QString SessionStatusBar::text() const {
    return QStringList{stateLabel_->text(),   eventsLabel_->text(),     droppedLabel_->text(),
                       symbolsLabel_->text(), undisposedLabel_->text(), bytesLabel_->text()}
        .join(QStringLiteral(" | "));
}

}  // namespace poolscope
