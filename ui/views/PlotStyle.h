#pragma once

#include <QList>
#include <QPalette>

class QCPAxis;
class QCustomPlot;

namespace poolscope {

// What the window's plots share in how they look, so that the timeline, the size histogram, the
// what-if plot and the process lanes read as one family and follow a theme switch alike.
namespace PlotStyle {

// The legend in a row above the plot, its entries side by side (`wrap` to a line, 0: all on one),
// so it takes a line of height instead of a column of the plot's width and covers no data. An
// empty element beside it takes the rest of the row, so that the row (and the plot's column) is
// as wide as the plot even while the legend is empty.
void putLegendAbove(QCustomPlot& plot, int wrap);

// The plot's background, `axes` (ticks, labels, dotted grid, zero line) and legend in the
// palette's colours.
void applyPalette(QCustomPlot& plot, const QPalette& palette, const QList<QCPAxis*>& axes);

}  // namespace PlotStyle

}  // namespace poolscope
