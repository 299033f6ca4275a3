#include "SizeHistogramView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "models/DisplayFormat.h"
#include "views/PlotStyle.h"
#include "views/ViewColors.h"

namespace poolscope {

namespace {

// The widest a tick label of the size axis gets ("512 KiB"), with room between labels.
constexpr int kTickLabelPixels = 64;
// Room above the tallest bar for the thresholds' labels.
constexpr double kHeadroom = 1.3;

// Where bars start on a logarithmic scale: under the smallest figure a bar has (one).
constexpr double kLogarithmicBase = 0.5;

// Bytes on the value axis written as sizes, at powers of 1024 on a logarithmic scale.
class ByteTicker : public QCPAxisTickerLog {
public:
    explicit ByteTicker(bool logarithmic) : logarithmic_(logarithmic) {
        setLogBase(1024);
        setSubTickCount(0);
    }

protected:
    QString getTickLabel(double tick, const QLocale&, QChar, int) override {
        return tick <= 0.0 ? QStringLiteral("0")
                           : DisplayFormat::bytes(static_cast<std::uint64_t>(std::llround(tick)));
    }
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override {
        return logarithmic_ ? QCPAxisTickerLog::createTickVector(tickStep, range)
                            : QCPAxisTicker::createTickVector(tickStep, range);
    }
    double getTickStep(const QCPRange& range) override {
        return logarithmic_ ? QCPAxisTickerLog::getTickStep(range)
                            : QCPAxisTicker::getTickStep(range);
    }
    int getSubTickCount(double tickStep) override {
        return logarithmic_ ? 0 : QCPAxisTicker::getSubTickCount(tickStep);
    }

private:
    bool logarithmic_;
};

}  // namespace

SizeHistogramView::SizeHistogramView(QWidget* parent) : QWidget(parent) {
    measure_ = new QComboBox(this);
    measure_->addItem(tr("Requests"), static_cast<int>(Measure::Requests));
    measure_->addItem(tr("Bytes requested"), static_cast<int>(Measure::Bytes));
    logarithmic_ = new QCheckBox(tr("Logarithmic scale"), this);
    logarithmic_->setChecked(true);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Bar height:"), this));
    bar->addWidget(measure_);
    bar->addWidget(logarithmic_);
    bar->addStretch(1);

    createPlot();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);
    applyPalette();
    connect(measure_, &QComboBox::currentIndexChanged, this,
            [this] { setMeasure(static_cast<Measure>(measure_->currentData().toInt())); });
    connect(logarithmic_, &QCheckBox::toggled, this, [this] { fill(); });
}

SizeHistogramView::~SizeHistogramView() = default;

QSize SizeHistogramView::sizeHint() const {
    return {600, 320};
}

void SizeHistogramView::createPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("sizeHistogramPlot"));
    plot_->xAxis->setLabel(
        tr("Requested size (each bar: over the size at its left, up to the "
           "one at its right)"));
    plot_->xAxis->setSubTicks(false);
    plot_->xAxis->grid()->setVisible(false);
    plot_->xAxis->setTickLabelRotation(-30);
    plot_->yAxis->setLabel(tr("Requests"));
    for (const MemoryTier tier : chart_.tiers()) {
        auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
        bars->setWidth(0.85);
        const QColor colour = ViewColors::tier(tier);
        bars->setPen(QPen(colour.darker(130)));
        bars->setBrush(colour);
        bars_.push_back(bars);
    }
    empty_ = new QCPItemText(plot_);
    empty_->position->setType(QCPItemPosition::ptAxisRectRatio);
    empty_->position->setCoords(0.5, 0.5);
    empty_->setText(tr("No requests in this range"));

    PlotStyle::putLegendAbove(*plot_, 3);
    plot_->installEventFilter(this);
}

void SizeHistogramView::applyPalette() {
    const QPalette& colours = palette();
    const QColor base = colours.color(QPalette::Base);
    const QColor text = colours.color(QPalette::Text);
    PlotStyle::applyPalette(*plot_, colours, {plot_->xAxis, plot_->yAxis});
    empty_->setColor(colours.color(QPalette::PlaceholderText));
    for (QCPItemStraightLine* line : lines_) {
        line->setPen(QPen(ViewColors::mix(base, text, 0.75), 1.5, Qt::DashLine));
    }
    for (QCPItemText* label : lineTexts_) {
        label->setColor(text);
        label->setBrush(ViewColors::mix(base, text, 0.06));
    }
}

void SizeHistogramView::setChart(SizeHistogramChart chart) {
    chart_ = std::move(chart);
    for (std::size_t tier = 0; tier < bars_.size(); ++tier) {
        bars_[tier]->setName(chart_.tierLabel(chart_.tiers()[tier]));
    }
    for (QCPItemStraightLine* line : lines_) {
        plot_->removeItem(line);
    }
    for (QCPItemText* label : lineTexts_) {
        plot_->removeItem(label);
    }
    lines_.clear();
    lineTexts_.clear();
    const std::vector<SizeHistogramChart::Line>& lines = chart_.lines();
    const double lastBar = static_cast<double>(chart_.bars().size()) - 0.5;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const SizeHistogramChart::Line& line = lines[i];
        auto* drawn = new QCPItemStraightLine(plot_);
        drawn->point1->setCoords(line.position, 0.0);
        drawn->point2->setCoords(line.position, 1.0);
        auto* label = new QCPItemText(plot_);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        // Labels one under the other, so that two thresholds a bar apart do not cover each
        // other; a line near the right end has its label on its left.
        const bool nearRightEnd = line.position > lastBar - 2.0;
        // Clear of the line itself, on its side.
        const double beside = nearRightEnd ? -0.08 : 0.08;
        label->position->setCoords(line.position + beside, 0.02 + 0.09 * static_cast<double>(i));
        label->setPositionAlignment(Qt::AlignTop | (nearRightEnd ? Qt::AlignRight : Qt::AlignLeft));
        label->setPadding(QMargins(4, 1, 4, 1));
        label->setText(
            QStringLiteral("%1: %2").arg(SizeHistogramChart::edgeLabel(line.bytes), line.name));
        lines_.push_back(drawn);
        lineTexts_.push_back(label);
    }
    applyPalette();
    fill();
}

void SizeHistogramView::setMeasure(Measure measure) {
    const int index = measure_->findData(static_cast<int>(measure));
    if (measure_->currentIndex() != index) {
        measure_->setCurrentIndex(index);  // comes back here through the signal
        return;
    }
    fill();
}

void SizeHistogramView::setLogarithmic(bool logarithmic) {
    logarithmic_->setChecked(logarithmic);
}

bool SizeHistogramView::logarithmic() const {
    return logarithmic_->isChecked();
}

double SizeHistogramView::valueOf(const SizeHistogramChart::Bar& bar) const {
    return static_cast<Measure>(measure_->currentData().toInt()) == Measure::Bytes
               ? static_cast<double>(bar.bytes)
               : static_cast<double>(bar.requests);
}

void SizeHistogramView::fill() {
    const bool bytes = static_cast<Measure>(measure_->currentData().toInt()) == Measure::Bytes;
    const bool logarithmic = logarithmic_->isChecked();
    plot_->yAxis->setLabel(bytes ? tr("Bytes requested") : tr("Requests"));
    plot_->yAxis->setScaleType(logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    QSharedPointer<QCPAxisTicker> ticker;
    if (bytes) {
        ticker.reset(new ByteTicker(logarithmic));
    } else if (logarithmic) {
        auto* powers = new QCPAxisTickerLog;
        powers->setLogBase(10);
        powers->setSubTickCount(0);
        ticker.reset(powers);
    } else {
        ticker.reset(new QCPAxisTicker);
    }
    plot_->yAxis->setTicker(ticker);
    plot_->yAxis->setSubTicks(!logarithmic);
    // A bar starts from zero, or from under one on a logarithmic scale, which has no zero.
    for (QCPBars* bars : bars_) {
        bars->setBaseValue(logarithmic ? kLogarithmicBase : 0.0);
    }
    const std::vector<MemoryTier> tiers = chart_.tiers();
    std::vector<QVector<double>> keys(tiers.size());
    std::vector<QVector<double>> values(tiers.size());
    double highest = 0.0;
    const std::vector<SizeHistogramChart::Bar>& bars = chart_.bars();
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto tier = static_cast<std::size_t>(
            std::find(tiers.begin(), tiers.end(), bars[i].tier) - tiers.begin());
        const double value = valueOf(bars[i]);
        // An empty bucket is only left out on a logarithmic scale, where zero has no place.
        if (logarithmic && value <= 0.0) {
            continue;
        }
        keys[tier].append(static_cast<double>(i));
        // A bar reaches from its base to the base plus its value (bars stack so).
        values[tier].append(logarithmic ? value - kLogarithmicBase : value);
        highest = std::max(highest, value);
    }
    // Only the tiers with a bar are in the legend, so that it names what is drawn, smallest
    // requests first.
    plot_->legend->clearItems();
    for (std::size_t tier = 0; tier < bars_.size(); ++tier) {
        bars_[tier]->setData(keys[tier], values[tier], true);
        if (!keys[tier].isEmpty()) {
            bars_[tier]->addToLegend();
        }
    }
    empty_->setVisible(chart_.requests() == 0);
    plot_->xAxis->setRange(-0.6, std::max(static_cast<double>(bars.size()) - 0.4, 0.6));
    if (logarithmic) {
        // Headroom for the labels: a third of the decades above the tallest bar.
        const double top = std::max(highest, 1.0);
        plot_->yAxis->setRange(kLogarithmicBase, top * std::pow(top / kLogarithmicBase, 0.3));
    } else {
        plot_->yAxis->setRange(0.0, highest > 0.0 ? highest * kHeadroom : 1.0);
    }
    updateTicks();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void SizeHistogramView::updateTicks() {
    QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
    const std::vector<SizeHistogramChart::Bar>& bars = chart_.bars();
    if (!bars.empty()) {
        // Edges are labelled every `step` bars, as many as the width holds; a threshold's edge
        // always is.
        const int width = std::max(plot_->axisRect()->width(), plot_->width() - 80);
        const int fitting = std::max(1, width / kTickLabelPixels);
        const int step = std::max(
            1, static_cast<int>(std::ceil(static_cast<double>(bars.size() + 1) / fitting)));
        for (std::size_t i = 0; i < bars.size(); ++i) {
            const bool threshold = std::any_of(chart_.lines().begin(), chart_.lines().end(),
                                               [&](const SizeHistogramChart::Line& line) {
                                                   return line.bytes == bars[i].toBytes;
                                               });
            if (threshold || (i + 1) % static_cast<std::size_t>(step) == 0) {
                ticks->addTick(static_cast<double>(i) + 0.5,
                               SizeHistogramChart::edgeLabel(bars[i].toBytes));
            }
        }
        ticks->addTick(-0.5, SizeHistogramChart::edgeLabel(bars.front().fromBytes));
    }
    plot_->xAxis->setTicker(ticks);
}

std::vector<double> SizeHistogramView::drawnValues() const {
    std::vector<double> drawn(chart_.bars().size(), 0.0);
    for (const QCPBars* bars : bars_) {
        for (auto point = bars->data()->constBegin(); point != bars->data()->constEnd(); ++point) {
            const auto index = static_cast<std::size_t>(std::lround(point->key));
            if (index < drawn.size()) {
                drawn[index] = point->value + bars->baseValue();
            }
        }
    }
    return drawn;
}

QStringList SizeHistogramView::lineLabels() const {
    QStringList labels;
    for (const QCPItemText* label : lineTexts_) {
        labels.append(label->text());
    }
    return labels;
}

std::vector<double> SizeHistogramView::linePositions() const {
    std::vector<double> positions;
    for (const QCPItemStraightLine* line : lines_) {
        positions.push_back(line->point1->coords().x());
    }
    return positions;
}

QString SizeHistogramView::toolTipAt(const QPoint& plotPosition) const {
    if (!plot_->axisRect()->rect().contains(plotPosition)) {
        return {};
    }
    const long index = std::lround(plot_->xAxis->pixelToCoord(plotPosition.x()));
    if (index < 0 || index >= static_cast<long>(chart_.bars().size())) {
        return {};
    }
    return chart_.toolTip(chart_.bars()[static_cast<std::size_t>(index)]);
}

QPoint SizeHistogramView::pointOfBar(int index, double heightShare) const {
    plot_->replot(QCustomPlot::rpImmediateRefresh);  // lays the plot out at its size now
    const double value =
        std::max(valueOf(chart_.bars().at(static_cast<std::size_t>(index))) * heightShare,
                 logarithmic() ? kLogarithmicBase : 0.0);
    return QPoint(static_cast<int>(std::lround(plot_->xAxis->coordToPixel(index))),
                  static_cast<int>(std::lround(plot_->yAxis->coordToPixel(value))) - 1);
}

void SizeHistogramView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && plot_ != nullptr) {
        applyPalette();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

void SizeHistogramView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    updateTicks();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool SizeHistogramView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == plot_ && event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const QString tip = toolTipAt(help->pos());
        if (tip.isEmpty()) {
            QToolTip::hideText();
        } else {
            QToolTip::showText(help->globalPos(), tip, plot_);
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace poolscope
