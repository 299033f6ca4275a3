#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <array>
#include <cstdint>
#include <vector>

#include "models/ProcessLanes.h"
#include "native/ProcSample.h"

class QCPAxisRect;
class QCPGraph;
class QCPTextElement;
class QCustomPlot;

namespace poolscope {

// A process sampled from /proc, drawn on the timeline in two lanes sharing one time axis: its
// memory (RSS, PSS, anonymous, file-backed, swap) in MiB, and its open descriptors. Draws what
// it is given; the samples come from ProcessSampling.
class ProcessLanesView : public QWidget {
    Q_OBJECT

public:
    explicit ProcessLanesView(QWidget* parent = nullptr);
    ~ProcessLanesView() override;

    // Says whose lanes these are, above them.
    void setTitle(const QString& title);
    QString title() const;
    // Appends samples, seconds counted from originNanoseconds.
    void appendSamples(const std::vector<poolscope::ProcSample>& samples,
                       std::int64_t originNanoseconds);
    void clear();

    int sampleCount() const;
    // The figures drawn, as the legend names them.
    QStringList laneNames() const;
    // The newest sample's value of a figure: MiB, or a count of descriptors; 0 with none.
    double lastValue(ProcessLanes::Figure figure) const;

    QSize sizeHint() const override;

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyPalette();
    void updateRanges();

    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPAxisRect* memoryLane_ = nullptr;
    QCPAxisRect* descriptorLane_ = nullptr;
    std::array<QCPGraph*, ProcessLanes::FigureCount> graphs_{};
    double lastSeconds_ = 0.0;
    double memoryMaximum_ = 0.0;
    double descriptorMaximum_ = 0.0;
};

}  // namespace poolscope
