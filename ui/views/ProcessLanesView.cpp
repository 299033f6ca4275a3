#include "views/ProcessLanesView.h"

#include <QEvent>
#include <QVBoxLayout>

#include <algorithm>

#include <qcustomplot.h>

#include "views/PlotStyle.h"

namespace poolscope {

namespace {

// Seconds shown while the process is followed: the last ten minutes.
constexpr double kFollowSpanSeconds = 600.0;
constexpr double kMinimumSpanSeconds = 5.0;
// About a day at the default ten samples a second; older samples are dropped so that a long
// watch does not grow the plot without bound.
constexpr int kMaximumSamples = 1'000'000;

}  // namespace

ProcessLanesView::ProcessLanesView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("processLanes"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("processLanesPlot"));
    layout->addWidget(plot_);

    title_ = new QCPTextElement(plot_);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, title_);
    memoryLane_ = plot_->axisRect();
    descriptorLane_ = new QCPAxisRect(plot_);
    plot_->plotLayout()->addElement(2, 0, descriptorLane_);
    plot_->plotLayout()->setRowStretchFactors({0.001, 3.0, 1.0});
    // Both lanes' plotted areas start at the same x, whatever their tick labels' widths.
    auto* margins = new QCPMarginGroup(plot_);
    memoryLane_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    descriptorLane_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    memoryLane_->axis(QCPAxis::atLeft)->setLabel(tr("MiB"));
    descriptorLane_->axis(QCPAxis::atLeft)->setLabel(tr("Descriptors"));
    descriptorLane_->axis(QCPAxis::atBottom)->setLabel(tr("Seconds"));
    connect(
        memoryLane_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
        descriptorLane_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));

    for (int figure = 0; figure < ProcessLanes::FigureCount; ++figure) {
        const auto which = static_cast<ProcessLanes::Figure>(figure);
        QCPAxisRect* lane = ProcessLanes::isMemory(which) ? memoryLane_ : descriptorLane_;
        QCPGraph* graph =
            plot_->addGraph(lane->axis(QCPAxis::atBottom), lane->axis(QCPAxis::atLeft));
        graph->setName(ProcessLanes::name(which));
        graph->setPen(
            QPen(ProcessLanes::colour(which), which == ProcessLanes::Resident ? 2.0 : 1.4));
        // A sample is the figure at that moment, held until the next one: no slope suggests a
        // change between samples that nobody saw.
        graph->setLineStyle(QCPGraph::lsStepLeft);
        if (!ProcessLanes::isMemory(which)) {
            graph->removeFromLegend();
        }
        graphs_[static_cast<std::size_t>(figure)] = graph;
    }
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(ProcessLanes::Descriptors);
    memoryLane_->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    applyPalette();
    clear();
}

ProcessLanesView::~ProcessLanesView() = default;

QSize ProcessLanesView::sizeHint() const {
    return {800, 360};
}

void ProcessLanesView::setTitle(const QString& title) {
    title_->setText(title);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString ProcessLanesView::title() const {
    return title_->text();
}

void ProcessLanesView::applyPalette() {
    title_->setTextColor(palette().color(QPalette::Text));
    PlotStyle::applyPalette(*plot_, palette(), memoryLane_->axes() + descriptorLane_->axes());
}

void ProcessLanesView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && plot_ != nullptr) {
        applyPalette();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

void ProcessLanesView::appendSamples(const std::vector<ProcSample>& samples,
                                     std::int64_t originNanoseconds) {
    if (samples.empty()) {
        return;
    }
    const auto count = static_cast<qsizetype>(samples.size());
    QVector<double> keys(count);
    for (qsizetype i = 0; i < count; ++i) {
        keys[i] = static_cast<double>(samples[static_cast<std::size_t>(i)].timeNanoseconds -
                                      originNanoseconds) /
                  1e9;
    }
    for (int figure = 0; figure < ProcessLanes::FigureCount; ++figure) {
        const auto which = static_cast<ProcessLanes::Figure>(figure);
        QVector<double> values(count);
        for (qsizetype i = 0; i < count; ++i) {
            values[i] = ProcessLanes::value(which, samples[static_cast<std::size_t>(i)]);
        }
        double& maximum = ProcessLanes::isMemory(which) ? memoryMaximum_ : descriptorMaximum_;
        maximum = std::max(maximum, *std::max_element(values.cbegin(), values.cend()));
        QCPGraph* graph = graphs_[static_cast<std::size_t>(figure)];
        graph->addData(keys, values, true);
        if (graph->dataCount() > kMaximumSamples) {
            graph->data()->removeBefore(
                graph->data()->at(graph->dataCount() - kMaximumSamples)->key);
        }
    }
    lastSeconds_ = keys.back();
    updateRanges();
}

void ProcessLanesView::updateRanges() {
    const double lower = std::max(0.0, lastSeconds_ - kFollowSpanSeconds);
    memoryLane_->axis(QCPAxis::atBottom)
        ->setRange(lower, std::max(lastSeconds_, lower + kMinimumSpanSeconds));
    memoryLane_->axis(QCPAxis::atLeft)->setRange(0.0, std::max(1.0, memoryMaximum_ * 1.08));
    descriptorLane_->axis(QCPAxis::atLeft)->setRange(0.0, std::max(4.0, descriptorMaximum_ * 1.15));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ProcessLanesView::clear() {
    for (QCPGraph* graph : graphs_) {
        graph->data()->clear();
    }
    lastSeconds_ = 0.0;
    memoryMaximum_ = 0.0;
    descriptorMaximum_ = 0.0;
    updateRanges();
}

int ProcessLanesView::sampleCount() const {
    return graphs_[0]->dataCount();
}

QStringList ProcessLanesView::laneNames() const {
    QStringList names;
    for (const QCPGraph* graph : graphs_) {
        names << graph->name();
    }
    return names;
}

double ProcessLanesView::lastValue(ProcessLanes::Figure figure) const {
    const QCPGraph* graph = graphs_[static_cast<std::size_t>(figure)];
    return graph->dataCount() == 0 ? 0.0 : (graph->data()->constEnd() - 1)->value;
}

}  // namespace poolscope
