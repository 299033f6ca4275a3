#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

#include "models/SizeHistogramChart.h"

class QCPBars;
class QCPItemStraightLine;
class QCPItemText;
class QCheckBox;
class QComboBox;
class QCustomPlot;

namespace poolscope {

// The sizes of the requests as bars that double, coloured by where the pool puts each size
// (small-buffer pool, one 4 MiB chunk, unpooled or a group of chunks), with the pool's
// thresholds drawn as lines between the bars. The bars count requests or their bytes, on a
// logarithmic or linear scale; a tooltip gives a bar's exact figures.
class SizeHistogramView : public QWidget {
    Q_OBJECT

public:
    enum class Measure { Requests, Bytes };

    explicit SizeHistogramView(QWidget* parent = nullptr);
    ~SizeHistogramView() override;

    void setChart(SizeHistogramChart chart);
    void setMeasure(Measure measure);
    // A logarithmic height, the default: a few large requests stay visible beside thousands of
    // small ones.
    void setLogarithmic(bool logarithmic);
    bool logarithmic() const;
    const SizeHistogramChart& chart() const { return chart_; }

    // What is drawn, bar by bar: the height of each (requests or bytes, as measured).
    std::vector<double> drawnValues() const;
    // The threshold lines drawn: their labels and their places on the bars' axis.
    QStringList lineLabels() const;
    std::vector<double> linePositions() const;
    // The tooltip at a point of the plot: the bar under it, or nothing.
    QString toolTipAt(const QPoint& plotPosition) const;
    // The point of the plot at the middle of bar `index`, at the given share of its height.
    QPoint pointOfBar(int index, double heightShare = 0.5) const;
    QComboBox* measureChooser() const { return measure_; }
    QCheckBox* logarithmicBox() const { return logarithmic_; }
    QCustomPlot* plot() const { return plot_; }

    QSize sizeHint() const override;

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void createPlot();
    void applyPalette();
    void fill();
    void updateTicks();
    double valueOf(const SizeHistogramChart::Bar& bar) const;

    QComboBox* measure_ = nullptr;
    QCheckBox* logarithmic_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    std::vector<QCPBars*> bars_;  // one per tier of SizeHistogramChart::tiers()
    std::vector<QCPItemStraightLine*> lines_;
    std::vector<QCPItemText*> lineTexts_;
    QCPItemText* empty_ = nullptr;
    SizeHistogramChart chart_;
};

}  // namespace poolscope
