#include "views/LayoutBands.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>

#include "views/ViewColors.h"

namespace poolscope {

LayoutBands::LayoutBands(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LayoutBands::setBands(std::vector<LayoutBand> bands) {
    bands_ = std::move(bands);
    setMinimumHeight(static_cast<int>(bands_.size()) * (minimumBandHeight() + kGap) + 2);
    updateGeometry();
    update();
}

void LayoutBands::setEmptyText(const QString& text) {
    emptyText_ = text;
    update();
}

QStringList LayoutBands::labels() const {
    QStringList labels;
    for (const LayoutBand& band : bands_) {
        labels << band.heading + QStringLiteral(" \u00b7 ") + band.details;
    }
    return labels;
}

int LayoutBands::contentHeight() const {
    const int line = QFontMetrics(font()).height();
    if (bands_.empty()) {
        return 3 * line + 24;
    }
    return static_cast<int>(bands_.size()) * (2 * line + 14 + kGap) + 2;
}

int LayoutBands::minimumBandHeight() const {
    return QFontMetrics(font()).height() + 8;
}

std::vector<int> LayoutBands::bandHeights() const {
    std::uint64_t total = 0;
    for (const LayoutBand& band : bands_) {
        total += band.bytes;
    }
    const int minimum = minimumBandHeight();
    const int count = static_cast<int>(bands_.size());
    // Proportional heights, then the short ones raised to the minimum at the cost of the
    // tall ones.
    const int available = std::max(0, height() - 2 - count * kGap);
    std::vector<int> heights;
    int raised = 0;
    int proportionalTotal = 0;
    for (const LayoutBand& band : bands_) {
        const int proportional =
            total == 0 ? minimum
                       : static_cast<int>(static_cast<double>(band.bytes) / total * available);
        heights.push_back(proportional);
        if (proportional < minimum) {
            raised += minimum - proportional;
        } else {
            proportionalTotal += proportional;
        }
    }
    for (int& bandHeight : heights) {
        if (bandHeight < minimum) {
            bandHeight = minimum;
        } else if (proportionalTotal > 0) {
            const int share =
                static_cast<int>(static_cast<double>(bandHeight) / proportionalTotal * raised);
            bandHeight = std::max(minimum, bandHeight - share);
        }
    }
    return heights;
}

void LayoutBands::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QPalette& colours = palette();
    const QColor base = colours.color(QPalette::Base);
    const QColor text = colours.color(QPalette::Text);
    painter.fillRect(rect(), base);
    if (bands_.empty()) {
        painter.setPen(colours.color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                         emptyText_);
        return;
    }
    const std::vector<int> heights = bandHeights();
    const QFontMetrics metrics(font());
    int y = 1;
    for (std::size_t i = 0; i < bands_.size(); ++i) {
        const LayoutBand& band = bands_[i];
        const QRect area(1, y, width() - 2, heights[i]);
        const QColor colour = ViewColors::tier(band.tier);
        painter.fillRect(area, ViewColors::mix(base, colour, i % 2 == 0 ? 0.22 : 0.32));
        painter.fillRect(QRect(area.left(), area.top(), kStripe, area.height()), colour);
        painter.setPen(ViewColors::mix(base, colour, 0.7));
        painter.drawRect(area.adjusted(0, 0, -1, -1));
        painter.setPen(text);
        const QRect textArea = area.adjusted(kStripe + 8, 3, -6, -3);
        const bool twoLines = textArea.height() >= 2 * metrics.height();
        if (twoLines) {
            const int top = textArea.top() + (textArea.height() - 2 * metrics.height()) / 2;
            QFont bold = font();
            bold.setBold(true);
            painter.setFont(bold);
            painter.drawText(
                QRect(textArea.left(), top, textArea.width(), metrics.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetrics(bold).elidedText(band.heading, Qt::ElideRight, textArea.width()));
            painter.setFont(font());
            painter.drawText(
                QRect(textArea.left(), top + metrics.height(), textArea.width(), metrics.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                metrics.elidedText(band.details, Qt::ElideRight, textArea.width()));
        } else {
            painter.drawText(
                textArea, Qt::AlignLeft | Qt::AlignVCenter,
                metrics.elidedText(band.heading + QStringLiteral(" \u00b7 ") + band.details,
                                   Qt::ElideRight, textArea.width()));
        }
        y += area.height() + kGap;
    }
}

}  // namespace poolscope
