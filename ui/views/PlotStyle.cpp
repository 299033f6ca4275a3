#include "views/PlotStyle.h"

#include <qcustomplot.h>

#include "views/ViewColors.h"

namespace poolscope {

void PlotStyle::putLegendAbove(QCustomPlot& plot, int wrap) {
    plot.legend->setVisible(true);
    plot.axisRect()->insetLayout()->take(plot.legend);
    auto* legendRow = new QCPLayoutGrid;
    plot.plotLayout()->insertRow(0);
    plot.plotLayout()->addElement(0, 0, legendRow);
    plot.plotLayout()->setRowStretchFactor(0, 0.001);
    legendRow->addElement(0, 0, plot.legend);
    legendRow->addElement(0, 1, new QCPLayoutElement(&plot));
    legendRow->setColumnStretchFactor(0, 0.001);
    legendRow->setMargins(QMargins(6, 4, 6, 0));
    plot.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot.legend->setWrap(wrap);
    plot.legend->setRowSpacing(0);
    plot.legend->setColumnSpacing(12);
}

void PlotStyle::applyPalette(QCustomPlot& plot, const QPalette& palette,
                             const QList<QCPAxis*>& axes) {
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    plot.setBackground(base);
    for (QCPAxis* axis : axes) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(ViewColors::mix(base, text, 0.18), 0, Qt::DotLine));
        axis->grid()->setZeroLinePen(QPen(ViewColors::mix(base, text, 0.35)));
    }
    plot.legend->setBrush(base);
    plot.legend->setBorderPen(QPen(ViewColors::mix(base, text, 0.3)));
    plot.legend->setTextColor(text);
}

}  // namespace poolscope
