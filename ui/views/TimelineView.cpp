#include "views/TimelineView.h"

#include <QAction>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "views/PlotStyle.h"
#include "views/TimelineDescriptorLane.h"
#include "views/ViewColors.h"

namespace poolscope {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;
// Seconds shown while following: enough to see a few bursts and their trims.
constexpr double kFollowSpanSeconds = 60.0;
// The narrowest time axis: a run or recording of a fifth of a second fills the plot instead of
// sitting at the left of a wider one.
constexpr double kMinimumSpanSeconds = 0.05;
// About nine hours at 30 samples a second; older samples and markers are dropped so that a
// session can run for days without the plot growing without bound.
constexpr int kMaximumSamples = 1'000'000;
constexpr std::size_t kMaximumMarkers = 5000;
// A tooltip longer than this would not fit the screen.
constexpr qsizetype kMarkersInToolTip = 40;
// The width a legend entry ("Managed: gen 2" and its swatch) takes, for wrapping the legend.
constexpr int kLegendEntryWidth = 175;

struct SeriesStyle {
    const char* name;
    QColor colour;
};

// Pool memory in cool colours, memory outside the pool in warm ones, the managed heap in
// purples from young to old, a launched program's memory in the native tiers' colours.
const SeriesStyle kSeriesStyles[] = {
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "Pool: rented"),
     ViewColors::tier(MemoryTier::Pooled)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "Pool: retained"), ViewColors::poolRetained()},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "Unpooled"),
     ViewColors::tier(MemoryTier::Unpooled)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "Small buffers"),
     ViewColors::tier(MemoryTier::Small)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "GC gen 0"), ViewColors::managedGeneration(0)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "GC gen 1"), ViewColors::managedGeneration(1)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "GC gen 2"), ViewColors::managedGeneration(2)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "GC large objects"),
     ViewColors::managedGeneration(3)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "Native heap"),
     ViewColors::tier(MemoryTier::NativeHeap)},
    {QT_TRANSLATE_NOOP("poolscope::TimelineView", "Mapped"), ViewColors::tier(MemoryTier::Mapped)},
};

QColor markerColour(TimelineMarker::Kind kind) {
    switch (kind) {
        case TimelineMarker::Kind::Trim:
            return QColor(235, 150, 0);
        case TimelineMarker::Kind::Collection:
            return QColor(150, 80, 200);
        case TimelineMarker::Kind::LimitRefused:
            return QColor(215, 40, 40);
        case TimelineMarker::Kind::Checkpoint:
            return QColor(120, 120, 120);
    }
    return QColor(120, 120, 120);
}

// Labels of one kind share a row at the top of the plot, so that kinds do not cover each other.
int markerRow(TimelineMarker::Kind kind) {
    switch (kind) {
        case TimelineMarker::Kind::Checkpoint:
            return 0;
        case TimelineMarker::Kind::Trim:
            return 1;
        case TimelineMarker::Kind::Collection:
            return 2;
        case TimelineMarker::Kind::LimitRefused:
            return 3;
    }
    return 0;
}

QString markerText(const TimelineMarker& marker) {
    if (!marker.label.isEmpty()) {
        return marker.label;
    }
    switch (marker.kind) {
        case TimelineMarker::Kind::Trim:
            return TimelineView::tr("trim");
        case TimelineMarker::Kind::Collection:
            return TimelineView::tr("gen %1").arg(marker.generation);
        case TimelineMarker::Kind::LimitRefused:
            return TimelineView::tr("refused");
        case TimelineMarker::Kind::Checkpoint:
            return TimelineView::tr("checkpoint");
    }
    return {};
}

}  // namespace

TimelineView::TimelineView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    toolBar_ = new QToolBar(this);
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    followAction_ = toolBar_->addAction(tr("Follow"));
    followAction_->setObjectName(QStringLiteral("followAction"));
    followAction_->setCheckable(true);
    followAction_->setChecked(true);
    followAction_->setToolTip(tr("Keep the newest sample in view (panning or zooming stops it)"));
    connect(followAction_, &QAction::toggled, this, [this](bool on) { setFollow(on); });
    QAction* fitAction = toolBar_->addAction(tr("Show all"));
    fitAction->setToolTip(tr("Show the whole session"));
    connect(fitAction, &QAction::triggered, this, [this] { showWholeSession(); });
    toolBar_->addSeparator();
    selectModeAction_ = toolBar_->addAction(tr("Select range"));
    selectModeAction_->setObjectName(QStringLiteral("selectRangeAction"));
    selectModeAction_->setCheckable(true);
    selectModeAction_->setToolTip(
        tr("Drag over the plot to filter the tables by time (or Shift+drag at any time)"));
    connect(selectModeAction_, &QAction::toggled, this,
            [this](bool on) { plot_->setSelectionRectMode(on ? QCP::srmCustom : QCP::srmNone); });
    clearRangeAction_ = toolBar_->addAction(tr("Clear range"));
    clearRangeAction_->setObjectName(QStringLiteral("clearRangeAction"));
    clearRangeAction_->setEnabled(false);
    connect(clearRangeAction_, &QAction::triggered, this, [this] { clearTimeRange(); });
    rangeAction_ = toolBar_->addAction(tr("All time"));
    rangeAction_->setObjectName(QStringLiteral("allTimeAction"));
    rangeAction_->setToolTip(
        tr("The time the tables show; click for all of it, with the whole session in view"));
    connect(rangeAction_, &QAction::triggered, this, [this] {
        clearTimeRange();
        showWholeSession();
    });
    toolBar_->addSeparator();
    QAction* exportAction = toolBar_->addAction(tr("Export\u2026"));
    exportAction->setToolTip(tr("Save the plot as PNG or PDF"));
    connect(exportAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export timeline"), QStringLiteral("timeline.png"),
            tr("PNG image (*.png);;PDF document (*.pdf)"));
        if (!path.isEmpty()) {
            exportTo(path);
        }
    });
    layout->addWidget(toolBar_);

    createPlot();
    layout->addWidget(plot_, 1);
    applyPalette();
}

TimelineView::~TimelineView() = default;

bool TimelineView::drawsSteps() const {
    return graphs_[0]->lineStyle() == QCPGraph::lsStepRight;
}

double TimelineView::descriptorMaximum() const {
    return descriptors_->shown() ? descriptors_->maximum() : 0.0;
}

int TimelineView::plotAreaWidth() const {
    plot_->replot(QCustomPlot::rpImmediateRefresh);  // lays the plot out at its size now
    return plot_->axisRect()->width();
}

QSize TimelineView::sizeHint() const {
    return {800, 360};
}

void TimelineView::createPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("timelinePlot"));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->setNoAntialiasingOnDrag(true);
    plot_->xAxis->setLabel(tr("Seconds"));
    plot_->yAxis->setLabel(tr("MiB"));
    plot_->yAxis->setRange(0.0, 1.0);
    settingRange_ = true;
    plot_->xAxis->setRange(0.0, 5.0);
    settingRange_ = false;

    for (int series = 0; series < SeriesCount; ++series) {
        QCPGraph* graph = plot_->addGraph();
        graph->setName(tr(kSeriesStyles[series].name));
        const QColor colour = kSeriesStyles[series].colour;
        graph->setPen(QPen(colour.darker(115), 1.2));
        QColor fill = colour;
        fill.setAlpha(170);
        graph->setBrush(fill);
        // Each graph holds the running total up to its series, so filling down to the graph
        // below shows just this series' share.
        if (series > 0) {
            graph->setChannelFillGraph(graphs_[static_cast<std::size_t>(series - 1)]);
        }
        // A sample holds the peak since the one before: drawn as a step, the memory stays at
        // its level until it changed, with no slope suggesting a growth between samples.
        graph->setLineStyle(QCPGraph::lsStepRight);
        graph->setVisible(false);
        graph->removeFromLegend();
        graphs_[static_cast<std::size_t>(series)] = graph;
    }
    descriptors_ = std::make_unique<TimelineDescriptorLane>(*plot_);

    PlotStyle::putLegendAbove(*plot_, 4);

    plot_->installEventFilter(this);
    connect(plot_->selectionRect(), &QCPSelectionRect::accepted, this,
            [this](const QRect& rect, QMouseEvent*) {
                selectTimeRange(plot_->xAxis->pixelToCoord(rect.left()),
                                plot_->xAxis->pixelToCoord(rect.right()));
            });
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this](const QCPRange&) {
                if (!settingRange_ && follow_) {
                    setFollow(false);  // the user panned or zoomed
                }
                thinMarkerLabels();
            });
    // Where a label fits is known once the plot is laid out at its size.
    connect(plot_, &QCustomPlot::afterLayout, this, [this] { thinMarkerLabels(); });
}

void TimelineView::applyPalette() {
    const QPalette& colours = palette();
    const QColor text = colours.color(QPalette::Text);
    PlotStyle::applyPalette(*plot_, colours,
                            {plot_->xAxis, plot_->yAxis, plot_->xAxis2, plot_->yAxis2});
    const QColor highlight = colours.color(QPalette::Highlight);
    QColor selectionFill = highlight;
    selectionFill.setAlpha(50);
    plot_->selectionRect()->setPen(QPen(highlight, 1, Qt::DashLine));
    plot_->selectionRect()->setBrush(selectionFill);
    if (selectedRange_ != nullptr) {
        selectedRange_->setPen(QPen(highlight));
        selectedRange_->setBrush(selectionFill);
    }
    for (const Marker& marker : markers_) {
        marker.label->setColor(ViewColors::mix(markerColour(marker.kind), text, 0.35));
    }
}

void TimelineView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && plot_ != nullptr) {
        applyPalette();
        replotSoon();
    }
}

void TimelineView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot) {
        return;
    }
    if (snapshot->firstSampleIndex < nextSampleIndex_ && !snapshot->newSamples.empty()) {
        clear();  // a new session: its series starts again at index 0
    }
    if (!snapshot->newSamples.empty()) {
        nextSampleIndex_ = snapshot->firstSampleIndex + snapshot->newSamples.size();
    }
    appendSamples(snapshot->newSamples);
    for (const TimelineMarker& marker : snapshot->newMarkers) {
        appendMarker(marker);
    }
    if (!snapshot->newMarkers.empty()) {
        thinMarkerLabels();
    }
    // The snapshot that says the run ended holds its last sample.
    const bool running = snapshot->pool.workloadRunning;
    if (running) {
        runEndSeconds_.reset();
    } else if (workloadRunning_ && sampleCount_ > 0) {
        runEndSeconds_ = lastSeconds_;
    }
    workloadRunning_ = running;
    if (follow_) {
        followNewest();
    }
    replotSoon();
}

void TimelineView::appendSamples(const std::vector<TimelineSample>& samples) {
    if (samples.empty()) {
        return;
    }
    const auto count = static_cast<qsizetype>(samples.size());
    QVector<double> keys(count);
    std::array<QVector<double>, SeriesCount> values;
    for (QVector<double>& series : values) {
        series.resize(count);
    }
    bool sorted = sampleCount_ == 0 || samples.front().seconds >= lastSeconds_;
    for (qsizetype i = 0; i < count; ++i) {
        const TimelineSample& sample = samples[static_cast<std::size_t>(i)];
        keys[i] = sample.seconds;
        if (i > 0 && sample.seconds < keys[i - 1]) {
            sorted = false;
        }
        const std::uint64_t bytes[SeriesCount] = {sample.rentedBytes,     sample.retainedBytes,
                                                  sample.unpooledBytes,   sample.smallBytes,
                                                  sample.managedBytes[0], sample.managedBytes[1],
                                                  sample.managedBytes[2], sample.managedBytes[3],
                                                  sample.nativeHeapBytes, sample.mappedBytes};
        double total = 0.0;
        for (int series = 0; series < SeriesCount; ++series) {
            total += static_cast<double>(bytes[series]) / kBytesPerMiB;
            values[static_cast<std::size_t>(series)][i] = total;

            seriesSeen_[static_cast<std::size_t>(series)] =
                seriesSeen_[static_cast<std::size_t>(series)] || bytes[series] != 0;
        }
        yMaximumMiB_ = std::max(yMaximumMiB_, total);
    }
    for (int series = 0; series < SeriesCount; ++series) {
        graphs_[static_cast<std::size_t>(series)]->addData(
            keys, values[static_cast<std::size_t>(series)], sorted);
    }
    sampleCount_ = graphs_[0]->dataCount();
    firstSeconds_ = graphs_[0]->data()->constBegin()->key;
    lastSeconds_ = (graphs_[0]->data()->constEnd() - 1)->key;
    descriptors_->append(samples, sorted);
    dropOldestSamples();

    // Only series that ever held memory are drawn and named, top of the stack first.
    bool legendChanged = false;
    for (int series = 0; series < SeriesCount; ++series) {
        QCPGraph* graph = graphs_[static_cast<std::size_t>(series)];
        if (seriesSeen_[static_cast<std::size_t>(series)] != graph->visible()) {
            graph->setVisible(seriesSeen_[static_cast<std::size_t>(series)]);
            legendChanged = true;
        }
    }
    if (legendChanged) {
        plot_->legend->clearItems();
        for (int series = SeriesCount - 1; series >= 0; --series) {
            if (seriesSeen_[static_cast<std::size_t>(series)]) {
                graphs_[static_cast<std::size_t>(series)]->addToLegend();
            }
        }
        descriptors_->addToLegend();
    }
    updateYRange();
}

void TimelineView::dropOldestSamples() {
    if (sampleCount_ <= kMaximumSamples) {
        return;
    }
    const double firstKept = graphs_[0]->data()->at(sampleCount_ - kMaximumSamples)->key;
    for (QCPGraph* graph : graphs_) {
        graph->data()->removeBefore(firstKept);
    }
    descriptors_->removeBefore(firstKept);
    sampleCount_ = graphs_[0]->dataCount();
    firstSeconds_ = firstKept;
    while (!markers_.empty() && markers_.front().line->point1->key() < firstKept) {
        plot_->removeItem(markers_.front().line);
        plot_->removeItem(markers_.front().label);
        markers_.erase(markers_.begin());
    }
}

void TimelineView::appendMarker(const TimelineMarker& marker) {
    if (markers_.size() >= kMaximumMarkers) {
        plot_->removeItem(markers_.front().line);
        plot_->removeItem(markers_.front().label);
        markers_.erase(markers_.begin());
    }
    const QColor colour = markerColour(marker.kind);
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(marker.seconds, 0.0);
    line->point2->setCoords(marker.seconds, 1.0);
    line->setPen(QPen(
        colour, 1.0, marker.kind == TimelineMarker::Kind::Checkpoint ? Qt::DotLine : Qt::DashLine));
    line->setSelectable(false);

    auto* label = new QCPItemText(plot_);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(marker.seconds, 0.0);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    QFont font = plot_->font();
    font.setPointSizeF(std::max(6.0, font.pointSizeF() * 0.85));
    label->setFont(font);
    const int lineHeight = QFontMetrics(font).height();
    label->setPadding(QMargins(3, 2 + markerRow(marker.kind) * (lineHeight + 1), 3, 0));
    label->setText(markerText(marker));
    label->setColor(ViewColors::mix(colour, palette().color(QPalette::Text), 0.35));
    label->setSelectable(false);
    label->setClipToAxisRect(true);
    markers_.push_back({marker.kind, line, label});
}

void TimelineView::thinMarkerLabels() {
    // Labels that would overlap the one before them in their row are hidden until a zoom
    // spreads them out; the lines always show, and the plot's tooltip lists every marker in
    // view with its time.
    const QFontMetrics metrics(markers_.empty() ? plot_->font() : markers_.front().label->font());
    const QCPRange range = plot_->xAxis->range();
    double rowRight[4] = {-1e9, -1e9, -1e9, -1e9};
    QStringList inView;
    for (const Marker& marker : markers_) {
        const double seconds = marker.label->position->key();
        const double x = plot_->xAxis->coordToPixel(seconds);
        double& right = rowRight[markerRow(marker.kind)];
        const double end = x + metrics.horizontalAdvance(marker.label->text()) + 6.0;
        // A label past either edge of the plot would be cut there.
        const bool fits =
            x >= right + 4.0 && x >= plot_->axisRect()->left() && end <= plot_->axisRect()->right();
        marker.label->setVisible(fits);
        if (fits) {
            right = end;
        }
        if (range.contains(seconds) && inView.size() < kMarkersInToolTip) {
            inView << tr("%1 s  %2").arg(QLocale().toString(seconds, 'f', 2), marker.label->text());
        }
    }
    plot_->setToolTip(inView.join(QLatin1Char('\n')));
}

QStringList TimelineView::shownMarkerLabels() const {
    QStringList labels;
    for (const Marker& marker : markers_) {
        if (marker.label->visible()) {
            labels << marker.label->text();
        }
    }
    return labels;
}

void TimelineView::setXRange(double lower, double upper) {
    settingRange_ = true;
    plot_->xAxis->setRange(lower, upper);
    settingRange_ = false;
}

void TimelineView::followNewest() {
    if (sampleCount_ == 0) {
        return;
    }
    // A run that ended is shown whole (the timeline starts over with each run), and stays so: the
    // quiet samples of the idle session after it do not squeeze it into the left of the plot.
    if (runEndSeconds_) {
        setXRange(firstSeconds_, std::max(*runEndSeconds_, firstSeconds_ + kMinimumSpanSeconds));
        return;
    }
    const double lower = std::max(firstSeconds_, lastSeconds_ - kFollowSpanSeconds);
    setXRange(lower, std::max(lastSeconds_, lower + kMinimumSpanSeconds));
}

void TimelineView::showWholeSession() {
    setFollow(false);
    setXRange(firstSeconds_, std::max(lastSeconds_, firstSeconds_ + kMinimumSpanSeconds));
    replotSoon();
}

void TimelineView::updateYRange() {
    plot_->yAxis->setRange(0.0, std::max(1.0, yMaximumMiB_ * 1.08));
}

void TimelineView::addLanes(QWidget* lanes) {
    lanes_ = lanes;
    lanes_->setVisible(lanesShown_);
    layout()->addWidget(lanes_);
}

void TimelineView::showLanes(bool shown) {
    lanesShown_ = shown;
    toolBar_->setVisible(!shown);
    plot_->setVisible(!shown);
    if (lanes_ != nullptr) {
        lanes_->setVisible(shown);
    }
}

void TimelineView::setFollow(bool follow) {
    follow_ = follow;
    if (followAction_->isChecked() != follow) {
        const QSignalBlocker blocker(followAction_);
        followAction_->setChecked(follow);
    }
    if (follow_) {
        followNewest();
        replotSoon();
    }
}

QStringList TimelineView::markerLabels() const {
    QStringList labels;
    for (const Marker& marker : markers_) {
        labels << marker.label->text();
    }
    return labels;
}

QStringList TimelineView::shownSeries() const {
    QStringList names;
    for (int series = SeriesCount - 1; series >= 0; --series) {
        if (graphs_[static_cast<std::size_t>(series)]->visible()) {
            names << graphs_[static_cast<std::size_t>(series)]->name();
        }
    }
    return names;
}

std::pair<double, double> TimelineView::xRange() const {
    return {plot_->xAxis->range().lower, plot_->xAxis->range().upper};
}

void TimelineView::clear() {
    for (QCPGraph* graph : graphs_) {
        graph->data()->clear();
        graph->setVisible(false);
    }
    plot_->legend->clearItems();
    seriesSeen_.fill(false);
    descriptors_->clear();
    for (const Marker& marker : markers_) {
        plot_->removeItem(marker.line);
        plot_->removeItem(marker.label);
    }
    markers_.clear();
    if (selectedRange_ != nullptr) {
        clearTimeRange();
    }
    sampleCount_ = 0;
    nextSampleIndex_ = 0;
    firstSeconds_ = 0.0;
    lastSeconds_ = 0.0;
    workloadRunning_ = false;
    runEndSeconds_.reset();
    yMaximumMiB_ = 0.0;
    updateYRange();
    setXRange(0.0, 5.0);
    replotSoon();
}

void TimelineView::selectTimeRange(double fromSeconds, double toSeconds) {
    if (toSeconds < fromSeconds) {
        std::swap(fromSeconds, toSeconds);
    }
    if (selectedRange_ == nullptr) {
        selectedRange_ = new QCPItemRect(plot_);
        selectedRange_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        selectedRange_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        selectedRange_->setSelectable(false);
        applyPalette();
    }
    selectedRange_->topLeft->setCoords(fromSeconds, 0.0);
    selectedRange_->bottomRight->setCoords(toSeconds, 1.0);
    clearRangeAction_->setEnabled(true);
    rangeAction_->setText(
        tr("Range %1 \u2013 %2 s")
            .arg(QLocale().toString(fromSeconds, 'f', 2), QLocale().toString(toSeconds, 'f', 2)));
    replotSoon();
    emit timeRangeSelected(fromSeconds, toSeconds);
}

void TimelineView::clearTimeRange() {
    if (selectedRange_ != nullptr) {
        plot_->removeItem(selectedRange_);
        selectedRange_ = nullptr;
    }
    clearRangeAction_->setEnabled(false);
    rangeAction_->setText(tr("All time"));
    replotSoon();
    emit timeRangeCleared();
}

bool TimelineView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == plot_) {
        if (event->type() == QEvent::Resize) {
            // As many legend entries side by side as the width holds, never cut.
            const int columns = std::clamp(plot_->width() / kLegendEntryWidth, 1, int{SeriesCount});
            if (columns != plot_->legend->wrap()) {
                plot_->legend->setWrap(columns);
                plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
            }
        } else if (event->type() == QEvent::MouseButtonPress) {
            const auto* mouse = static_cast<QMouseEvent*>(event);
            // Shift+drag selects a range without switching modes.
            if (mouse->button() == Qt::LeftButton && (mouse->modifiers() & Qt::ShiftModifier) &&
                plot_->selectionRectMode() == QCP::srmNone) {
                plot_->setSelectionRectMode(QCP::srmCustom);
                shiftSelecting_ = true;
            }
        } else if (event->type() == QEvent::MouseButtonRelease && shiftSelecting_) {
            shiftSelecting_ = false;
            // After QCustomPlot has finished the selection with this release.
            QMetaObject::invokeMethod(
                this,
                [this] {
                    if (!selectModeAction_->isChecked()) {
                        plot_->setSelectionRectMode(QCP::srmNone);
                    }
                },
                Qt::QueuedConnection);
        }
    }
    return QWidget::eventFilter(watched, event);
}

bool TimelineView::exportTo(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    // A view never shown has no useful size; export it at a readable one.
    const bool sized = plot_->width() >= 300 && plot_->height() >= 200;
    const int width = sized ? 0 : 900;
    const int height = sized ? 0 : 500;
    plot_->replot();
    if (suffix == QLatin1String("png")) {
        return plot_->savePng(path, width, height);
    }
    if (suffix == QLatin1String("pdf")) {
        return plot_->savePdf(path, width, height);
    }
    return false;
}

void TimelineView::replotSoon() {
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace poolscope
