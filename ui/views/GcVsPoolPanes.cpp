#include "views/GcVsPoolPanes.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "models/DisplayFormat.h"
#include "models/GcVsPoolComparison.h"
#include "views/ViewColors.h"

namespace poolscope {

namespace {

constexpr int kMargin = 8;
constexpr int kHeadingHeight = 34;
constexpr int kAxisWidth = 64;
constexpr int kTimeAxisHeight = 22;
constexpr int kLegendHeight = 20;
// The time axis labels are 60 pixels wide; their steps are at least this far apart.
constexpr int kTimeLabelSpacing = 70;
constexpr double kMebibyte = 1024.0 * 1024.0;

using Point = GcVsPoolComparison::Point;

// A round number of MiB (1, 2 or 5 times a power of ten) at or over `bytes`.
std::uint64_t roundAxis(std::uint64_t bytes) {
    const double mebibytes = std::max(1.0, static_cast<double>(bytes) / kMebibyte);
    const double power = std::pow(10.0, std::floor(std::log10(mebibytes)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * power >= mebibytes) {
            return static_cast<std::uint64_t>(step * power * kMebibyte);
        }
    }
    return static_cast<std::uint64_t>(10.0 * power * kMebibyte);
}

struct Layer {
    QString name;
    QBrush brush;
    std::function<std::uint64_t(const Point&)> bytes;
};

std::uint64_t stackedMax(const std::vector<Point>& points, const std::vector<Layer>& layers) {
    std::uint64_t top = 0;
    for (const Point& point : points) {
        std::uint64_t total = 0;
        for (const Layer& layer : layers) {
            total += layer.bytes(point);
        }
        top = std::max(top, total);
    }
    return top;
}

std::vector<Layer> gcLayers(const QColor& text) {
    std::vector<Layer> layers;
    for (int g = 0; g < 3; ++g) {
        layers.push_back({QObject::tr("gen %1").arg(g), ViewColors::managedGeneration(g),
                          [g](const Point& p) { return p.generations[g]; }});
    }
    layers.push_back({QObject::tr("LOH objects"), ViewColors::managedGeneration(3),
                      [](const Point& p) { return p.largeObjects; }});
    layers.push_back({QObject::tr("LOH free (no object)"), QBrush(text, Qt::BDiagPattern),
                      [](const Point& p) { return p.largeObjectFree; }});
    return layers;
}

std::vector<Layer> poolLayers() {
    return {{QObject::tr("rented"), ViewColors::tier(MemoryTier::Pooled),
             [](const Point& p) { return p.rented; }},
            {QObject::tr("retained"), ViewColors::poolRetained(),
             [](const Point& p) { return p.retained; }}};
}

// Where each layer's legend entry goes in a pane's area: its left edge and its row. An entry
// that would pass the area's right edge starts a new row, so a narrow pane's legend stays in it.
std::vector<QPoint> legendPlaces(const QFontMetrics& metrics, const std::vector<Layer>& layers,
                                 const QRect& area) {
    const int left = area.left() + kAxisWidth;
    const int right = area.right();
    std::vector<QPoint> places;
    int x = left;
    int row = 0;
    for (const Layer& layer : layers) {
        const int width = 16 + metrics.horizontalAdvance(layer.name) + 4;
        if (x > left && x + width > right) {
            x = left;
            ++row;
        }
        places.emplace_back(x, row);
        x += width + 10;
    }
    return places;
}

int rowsOf(const std::vector<QPoint>& legend) {
    return legend.empty() ? 0 : legend.back().y() + 1;
}

// start and end: the seconds both panes span, from the run's first sample to its last;
// legendRows: the rows the longer of the two legends takes, so that both plots line up.
void drawPane(QPainter& painter, const QPalette& palette, const QRect& area, const QString& heading,
              const std::vector<Point>& points, const std::vector<Layer>& layers,
              std::uint64_t axisBytes, double start, double end, int legendRows) {
    const QColor text = palette.color(QPalette::Text);
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(text);
    painter.drawText(QRect(area.left(), area.top(), area.width(), kHeadingHeight),
                     Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, heading);
    painter.setFont(QFont());

    const std::vector<QPoint> legend = legendPlaces(painter.fontMetrics(), layers, area);
    const QRect plot(area.left() + kAxisWidth, area.top() + kHeadingHeight,
                     area.width() - kAxisWidth,
                     area.height() - kHeadingHeight - kTimeAxisHeight - legendRows * kLegendHeight);
    painter.fillRect(plot, palette.color(QPalette::Base));
    const double axis = static_cast<double>(std::max<std::uint64_t>(axisBytes, 1));
    const auto yOf = [&](std::uint64_t bytes) {
        return plot.bottom() - static_cast<double>(bytes) / axis * plot.height();
    };
    const double span = std::max(0.05, end - start);
    const auto xOf = [&](double at) { return plot.left() + (at - start) / span * plot.width(); };

    // Byte axis: four steps from zero to the round top.
    painter.setPen(ViewColors::mix(text, palette.color(QPalette::Base), 0.8));
    for (int i = 0; i <= 4; ++i) {
        const std::uint64_t bytes = axisBytes / 4 * static_cast<std::uint64_t>(i);
        const double y = yOf(bytes);
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.save();
        painter.setPen(text);
        painter.drawText(QRectF(area.left(), y - 8, kAxisWidth - 4, 16),
                         Qt::AlignRight | Qt::AlignVCenter,
                         QStringLiteral("%1 MiB").arg(
                             QString::number(static_cast<double>(bytes) / kMebibyte, 'g', 3)));
        painter.restore();
    }

    // Stacked layers, bottom first, drawn as steps like the timeline's: a sample holds what
    // was held since the one before, so nothing between two samples is drawn as a slope that
    // suggests growth that did not happen.
    std::vector<std::uint64_t> below(points.size(), 0);
    for (const Layer& layer : layers) {
        if (points.empty()) {
            break;
        }
        QPainterPath path;
        path.moveTo(xOf(points[0].seconds), yOf(below[0] + layer.bytes(points[0])));
        for (std::size_t i = 1; i < points.size(); ++i) {
            const double top = yOf(below[i] + layer.bytes(points[i]));
            path.lineTo(xOf(points[i - 1].seconds), top);
            path.lineTo(xOf(points[i].seconds), top);
        }
        for (std::size_t i = points.size(); i-- > 1;) {
            path.lineTo(xOf(points[i].seconds), yOf(below[i]));
            path.lineTo(xOf(points[i - 1].seconds), yOf(below[i]));
        }
        path.lineTo(xOf(points[0].seconds), yOf(below[0]));
        path.closeSubpath();
        painter.fillPath(path, layer.brush);
        for (std::size_t i = 0; i < points.size(); ++i) {
            below[i] += layer.bytes(points[i]);
        }
    }
    painter.setPen(text);
    painter.drawRect(plot);

    // The shared time axis: both panes span the same seconds.
    // A narrow pane has fewer steps, so that its labels do not run into each other.
    const int steps = std::clamp(plot.width() / kTimeLabelSpacing, 1, 4);
    for (int i = 0; i <= steps; ++i) {
        const double at = span * i / steps;
        // The last label ends at the plot's right edge rather than past it.
        const double x = i == steps ? plot.right() - 60 : xOf(start + at) - 30;
        painter.drawText(QRectF(x, plot.bottom() + 2, 60, kTimeAxisHeight - 4),
                         i == steps ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignCenter,
                         QStringLiteral("%1 s").arg(at, 0, 'f', span < 2.0 ? 2 : 1));
    }
    const int legendTop = plot.bottom() + kTimeAxisHeight;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const int x = legend[i].x();
        const int top = legendTop + legend[i].y() * kLegendHeight;
        painter.fillRect(QRect(x, top + 4, 12, 12), layers[i].brush);
        painter.drawRect(QRect(x, top + 4, 12, 12));
        const int width = painter.fontMetrics().horizontalAdvance(layers[i].name);
        painter.drawText(QRect(x + 16, top, width + 4, kLegendHeight), Qt::AlignVCenter,
                         layers[i].name);
    }
}

QString headingOf(const QString& side, const std::vector<Point>& points,
                  const std::function<std::uint64_t(const Point&)>& held) {
    const std::uint64_t now = points.empty() ? 0 : held(points.back());
    return QObject::tr("%1 holds %2").arg(side, DisplayFormat::bytes(now));
}

}  // namespace

GcVsPoolPanes::GcVsPoolPanes(const GcVsPoolComparison& comparison, QWidget* parent)
    : QWidget(parent), comparison_(comparison) {
    connect(&comparison_, &GcVsPoolComparison::modelReset, this, qOverload<>(&QWidget::update));
    connect(&comparison_, &GcVsPoolComparison::dataChanged, this, qOverload<>(&QWidget::update));
}

std::uint64_t GcVsPoolPanes::gcAxisBytes() const {
    return roundAxis(stackedMax(comparison_.points(), gcLayers(Qt::black)));
}

std::uint64_t GcVsPoolPanes::poolAxisBytes() const {
    return roundAxis(stackedMax(comparison_.points(), poolLayers()));
}

QString GcVsPoolPanes::gcHeading() const {
    return headingOf(tr("GC heap"), comparison_.points(),
                     [](const Point& p) { return p.gcHeld(); });
}

QString GcVsPoolPanes::poolHeading() const {
    return headingOf(tr("Pool"), comparison_.points(), [](const Point& p) { return p.poolHeld(); });
}

QSize GcVsPoolPanes::sizeHint() const {
    return {900, 320};
}

QSize GcVsPoolPanes::minimumSizeHint() const {
    return {420, 200};
}

void GcVsPoolPanes::paintEvent(QPaintEvent* /*event*/) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const std::vector<Point>& points = comparison_.points();
    const double start = points.empty() ? 0.0 : points.front().seconds;
    const double end = points.empty() ? 1.0 : points.back().seconds;
    const QRect inner = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const int half = inner.width() / 2;
    const QColor text = palette().color(QPalette::Text);
    const QRect gcArea(inner.left(), inner.top(), half - kMargin, inner.height());
    const QRect poolArea(inner.left() + half + kMargin, inner.top(), half - kMargin,
                         inner.height());
    const std::vector<Layer> gc = gcLayers(text);
    const std::vector<Layer> pool = poolLayers();
    const QFontMetrics metrics(QFont(), this);
    const int legendRows = std::max(rowsOf(legendPlaces(metrics, gc, gcArea)),
                                    rowsOf(legendPlaces(metrics, pool, poolArea)));
    drawPane(painter, palette(), gcArea, gcHeading(), points, gc, gcAxisBytes(), start, end,
             legendRows);
    drawPane(painter, palette(), poolArea, poolHeading(), points, pool, poolAxisBytes(), start, end,
             legendRows);
}

}  // namespace poolscope
