#include "views/WhatIfView.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

#include <qcustomplot.h>

#include "models/DisplayFormat.h"
#include "models/WhatIfFiguresModel.h"
#include "models/WhatIfSiteModel.h"
#include "views/PlotStyle.h"
#include "views/ViewColors.h"

namespace poolscope {

namespace {

constexpr double kMebibyte = 1024.0 * 1024.0;
constexpr double kNanosecondsPerSecond = 1e9;

enum Page { MessagePage, ComparisonPage };

QString poolText(const WhatIfReplay::Options& options) {
    const QString size = options.poolSizeMegabytes < 0
                             ? QObject::tr("default pool")
                             : QObject::tr("pool of %1 MiB").arg(options.poolSizeMegabytes);
    return QObject::tr("%1, trim period %2 s")
        .arg(size)
        .arg(static_cast<double>(options.trimPeriod.count()) / 1000.0);
}

void fillGraph(QCPGraph& graph, const std::vector<WhatIfHeldSample>& series, bool pooled) {
    QVector<double> seconds;
    QVector<double> mebibytes;
    seconds.reserve(static_cast<qsizetype>(series.size()));
    mebibytes.reserve(static_cast<qsizetype>(series.size()));
    // Samples come in the replay's order, several at one moment when a buffer lived within
    // one timestamp; threads' clocks may even step back a little. Kept in that order (a sort
    // would shuffle a moment's samples), with time never going back.
    double last = 0.0;
    for (const WhatIfHeldSample& sample : series) {
        last = std::max(last, static_cast<double>(sample.nanoseconds) / kNanosecondsPerSecond);
        seconds.append(last);
        mebibytes.append(static_cast<double>(pooled ? sample.pooledBytes : sample.actualBytes) /
                         kMebibyte);
    }
    graph.setData(seconds, mebibytes, true);
}

}  // namespace

WhatIfView::WhatIfView(QWidget* parent) : QWidget(parent), analysis_(this) {
    title_ = new QLabel(tr("No recording replayed"), this);
    // A long file name must not widen the dock beyond the window's smallest width.
    title_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    busy_ = new QProgressBar(this);
    // No figure tells how far the replay has got: the bar only says it runs.
    busy_->setRange(0, 0);
    busy_->setMaximumWidth(120);
    busy_->setVisible(false);
    auto* bar = new QHBoxLayout;
    bar->addWidget(title_, 1);
    bar->addWidget(busy_);

    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("whatIfMessage"));
    message_->setWordWrap(true);
    message_->setAlignment(Qt::AlignCenter);
    message_->setMargin(16);

    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("whatIfPlot"));
    plot_->setMinimumSize(120, 90);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->xAxis->setLabel(tr("Seconds since the recording's first event"));
    plot_->yAxis->setLabel(tr("MiB held"));
    // Both sides on one graph each over the same axes: one time axis, one scale of bytes.
    plot_->setToolTip(
        tr("Actual: every large buffer its own mapping, unmapped when freed.\n"
           "Pooled: the pool's chunks, rented or kept for reuse, and the buffers "
           "it could not take."));
    actualGraph_ = plot_->addGraph();
    actualGraph_->setName(tr("Actual: each buffer its own mapping"));
    pooledGraph_ = plot_->addGraph();
    pooledGraph_->setName(tr("Pooled: chunks kept for reuse"));
    for (QCPGraph* graph : {actualGraph_, pooledGraph_}) {
        // A sample holds until the next: steps, not slopes that suggest a gradual change.
        graph->setLineStyle(QCPGraph::lsStepLeft);
    }
    const QColor actual = ViewColors::tier(MemoryTier::Unpooled);
    const QColor pooled = ViewColors::tier(MemoryTier::Pooled);
    actualGraph_->setPen(QPen(actual, 2.0));
    QColor actualFill = actual;
    actualFill.setAlpha(60);
    actualGraph_->setBrush(actualFill);
    pooledGraph_->setPen(QPen(pooled, 2.0, Qt::SolidLine));
    // Its two entries side by side on one line.
    PlotStyle::putLegendAbove(*plot_, 0);

    figures_ = new WhatIfFiguresModel(this);
    figuresTable_ = new QTableView(this);
    figuresTable_->setObjectName(QStringLiteral("whatIfFigures"));
    figuresTable_->setModel(figures_);
    figuresTable_->verticalHeader()->hide();
    figuresTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    figuresTable_->horizontalHeader()->setStretchLastSection(true);
    figuresTable_->setSelectionBehavior(QAbstractItemView::SelectRows);

    sites_ = new WhatIfSiteModel(this);
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(sites_);
    sorted_->setSortRole(WhatIfSiteModel::kSortRole);
    sitesTable_ = new QTableView(this);
    sitesTable_->setObjectName(QStringLiteral("whatIfSites"));
    sitesTable_->setModel(sorted_);
    sitesTable_->setSortingEnabled(true);
    sitesTable_->sortByColumn(WhatIfSiteModel::MapCallsSaved, Qt::DescendingOrder);
    sitesTable_->verticalHeader()->hide();
    // The figures keep their headers' width; the site's name takes what is left.
    sitesTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    sitesTable_->horizontalHeader()->setSectionResizeMode(WhatIfSiteModel::Site,
                                                          QHeaderView::Stretch);
    sitesTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // A site's frames differ most at their ends: the function's scope and the caller's line.
    sitesTable_->setWordWrap(false);
    sitesTable_->setTextElideMode(Qt::ElideMiddle);

    auto* tables = new QSplitter(Qt::Horizontal, this);
    tables->addWidget(figuresTable_);
    tables->addWidget(sitesTable_);
    tables->setStretchFactor(0, 2);
    tables->setStretchFactor(1, 3);
    auto* comparison = new QSplitter(Qt::Vertical, this);
    comparison->addWidget(plot_);
    comparison->addWidget(tables);
    comparison->setStretchFactor(0, 3);
    comparison->setStretchFactor(1, 2);

    pages_ = new QStackedWidget(this);
    pages_->insertWidget(MessagePage, message_);
    pages_->insertWidget(ComparisonPage, comparison);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(pages_, 1);

    applyPalette();
    showMessage(
        tr("Open a recording, or record a run or a launched program, to see what the "
           "pool would have done with its large buffers."));
    connect(&analysis_, &WhatIfAnalysis::busyChanged, busy_, &QWidget::setVisible);
    connect(&analysis_, &WhatIfAnalysis::ready, this, &WhatIfView::showResult);
}

void WhatIfView::showRecording(const QString& recordingPath) {
    recordingPath_ = recordingPath;
    request();
}

void WhatIfView::setAllocatorOptions(const SessionAllocatorOptions& options) {
    const WhatIfReplay::Options replay = WhatIfAnalysis::optionsFor(options);
    if (replay.poolSizeMegabytes == options_.poolSizeMegabytes &&
        replay.trimPeriod == options_.trimPeriod) {
        return;
    }
    options_ = replay;
    if (!recordingPath_.isEmpty()) {
        request();
    }
}

void WhatIfView::request() {
    title_->setText(tr("Replaying %1 through a %2…")
                        .arg(QFileInfo(recordingPath_).fileName(), poolText(options_)));
    analysis_.request(recordingPath_, options_);
}

void WhatIfView::clear() {
    analysis_.cancel();
    recordingPath_.clear();
    result_.reset();
    title_->setText(tr("No recording replayed"));
    figures_->clear();
    sites_->setRows({});
    actualGraph_->data()->clear();
    pooledGraph_->data()->clear();
    showMessage(
        tr("Open a recording, or record a run or a launched program, to see what the "
           "pool would have done with its large buffers."));
}

QString WhatIfView::message() const {
    return pages_->currentIndex() == MessagePage ? message_->text() : QString();
}

bool WhatIfView::showsComparison() const {
    return pages_->currentIndex() == ComparisonPage;
}

std::vector<QPointF> WhatIfView::plotted(Side side) const {
    const QCPGraph* graph = side == Side::Actual ? actualGraph_ : pooledGraph_;
    std::vector<QPointF> points;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        points.emplace_back(it->key, it->value);
    }
    return points;
}

void WhatIfView::showMessage(const QString& text) {
    message_->setText(text);
    pages_->setCurrentIndex(MessagePage);
}

void WhatIfView::showResult(const std::shared_ptr<const WhatIfAnalysisResult>& result) {
    result_ = result;
    const QString name = QFileInfo(result->recordingPath).fileName();
    if (!result->error.isEmpty()) {
        title_->setText(tr("Could not replay %1").arg(name));
        figures_->clear();
        sites_->setRows({});
        showMessage(tr("Could not replay %1: %2").arg(name, result->error));
        return;
    }
    const WhatIfResult& replay = result->replay;
    const QString buffers =
        replay.largeRequests == 1
            ? tr("1 large buffer")
            : tr("%1 large buffers")
                  .arg(DisplayFormat::count(static_cast<std::int64_t>(replay.largeRequests)));
    title_->setText(tr("%1: %2 through a %3 (%4 chunks of %5)")
                        .arg(name, buffers, poolText(result->options))
                        .arg(replay.poolCapacityChunks)
                        .arg(DisplayFormat::bytes(replay.chunkBytes)));
    figures_->setFigures(replay.actual, replay.pooled);
    sites_->setRows(result->sites);
    if (replay.largeRequests == 0) {
        showMessage(tr("%1 has no large buffers: no request over 1 MiB and no mapping of its "
                       "own. Smaller ones come from the small-buffer pool either way, so there "
                       "is nothing for the chunk pool to change here.")
                        .arg(name));
        return;
    }
    plot(*result);
    pages_->setCurrentIndex(ComparisonPage);
}

void WhatIfView::plot(const WhatIfAnalysisResult& result) {
    const std::vector<WhatIfHeldSample>& series = result.replay.heldOverTime;
    fillGraph(*actualGraph_, series, false);
    fillGraph(*pooledGraph_, series, true);
    const double end = series.empty()
                           ? 0.0
                           : static_cast<double>(series.back().nanoseconds) / kNanosecondsPerSecond;
    plot_->xAxis->setRange(0.0, std::max(end, 1e-3));
    const double top = static_cast<double>(std::max(result.replay.actual.peakHeldBytes,
                                                    result.replay.pooled.peakHeldBytes)) /
                       kMebibyte;
    // Headroom over the higher peak, so neither line runs along the plot's top edge.
    plot_->yAxis->setRange(0.0, std::max(top * 1.1, 1.0));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void WhatIfView::applyPalette() {
    PlotStyle::applyPalette(*plot_, palette(),
                            {plot_->xAxis, plot_->yAxis, plot_->xAxis2, plot_->yAxis2});
    // The legend sits on the plot's own background without a frame.
    plot_->legend->setBorderPen(Qt::NoPen);
}

void WhatIfView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && plot_ != nullptr) {
        applyPalette();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

}  // namespace poolscope
