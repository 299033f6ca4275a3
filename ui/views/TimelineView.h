#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "session/SessionSnapshot.h"

class QAction;
class QCPGraph;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QMouseEvent;
class QToolBar;

namespace poolscope {

class TimelineDescriptorLane;

// Bytes over time, stacked: the pool's rented and retained chunks, unpooled and small-buffer
// memory, the managed heap by generation, and a launched program's native heap and mapped
// memory (its open descriptors as a count on the right axis), with markers for trims, collections,
// refused requests and scenario checkpoints. Appends each snapshot's new samples in one batch per
// graph. Follows the newest sample while live until the user pans or zooms; a dragged time range
// (Shift+drag, or the "Select range" mode) is announced for the tables to filter by.
class TimelineView : public QWidget {
    Q_OBJECT

public:
    explicit TimelineView(QWidget* parent = nullptr);
    ~TimelineView() override;

    // Appends the snapshot's newSamples and newMarkers; starts over when the series restarts.
    void setSnapshot(const std::shared_ptr<const poolscope::SessionSnapshot>& snapshot);
    void clear();

    // Lanes of a source that has no pool to stack (a process sampled from /proc), kept below
    // the stacked plot and hidden until showLanes(true), which gives them the plot's place.
    void addLanes(QWidget* lanes);
    void showLanes(bool shown);
    bool showsLanes() const { return lanesShown_; }

    void setFollow(bool follow);
    bool follow() const { return follow_; }

    // Writes the plot as PNG or PDF, chosen by the path's suffix; false for another suffix or
    // a failed write.
    bool exportTo(const QString& path);

    int sampleCount() const { return sampleCount_; }
    int markerCount() const { return static_cast<int>(markers_.size()); }
    // The markers' labels, oldest first.
    QStringList markerLabels() const;
    // The labels drawn: those that overlap the one before them or would be cut at an edge of
    // the plot are left out (their lines stay).
    QStringList shownMarkerLabels() const;
    // The largest stacked total of any sample, in MiB.
    double yMaximumMiB() const { return yMaximumMiB_; }
    // The names of the series drawn (those that ever held memory), top of the stack first, as
    // the legend lists them.
    QStringList shownSeries() const;
    // The visible time range, in seconds.
    std::pair<double, double> xRange() const;
    // The width of the plotted area, in pixels, at the view's size now.
    int plotAreaWidth() const;
    // Samples are drawn as steps (each level held until the next sample), not joined by slopes.
    bool drawsSteps() const;
    // The most open descriptors any sample counted; 0 while no lane of them is shown.
    double descriptorMaximum() const;

    QSize sizeHint() const override;

signals:
    void timeRangeSelected(double fromSeconds, double toSeconds);
    void timeRangeCleared();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    // The stacked series, bottom to top.
    enum Series {
        Rented,
        Retained,
        Unpooled,
        Small,
        Gen0,
        Gen1,
        Gen2,
        LargeObjects,
        NativeHeap,
        Mapped,
        SeriesCount
    };
    struct Marker {
        TimelineMarker::Kind kind;
        QCPItemStraightLine* line = nullptr;
        QCPItemText* label = nullptr;
    };

    void createPlot();
    void applyPalette();
    void appendSamples(const std::vector<TimelineSample>& samples);
    void appendMarker(const TimelineMarker& marker);
    void dropOldestSamples();
    void followNewest();
    void showWholeSession();
    void setXRange(double lower, double upper);
    void updateYRange();
    void thinMarkerLabels();
    void selectTimeRange(double fromSeconds, double toSeconds);
    void clearTimeRange();
    void replotSoon();

    QToolBar* toolBar_ = nullptr;
    QAction* followAction_ = nullptr;
    QAction* selectModeAction_ = nullptr;
    QAction* clearRangeAction_ = nullptr;
    QAction* rangeAction_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    std::array<QCPGraph*, SeriesCount> graphs_{};
    std::array<bool, SeriesCount> seriesSeen_{};
    std::unique_ptr<TimelineDescriptorLane> descriptors_;
    std::vector<Marker> markers_;
    QCPItemRect* selectedRange_ = nullptr;
    QWidget* lanes_ = nullptr;
    bool lanesShown_ = false;

    bool follow_ = true;
    bool settingRange_ = false;
    bool shiftSelecting_ = false;
    int sampleCount_ = 0;
    std::uint64_t nextSampleIndex_ = 0;
    double firstSeconds_ = 0.0;
    double lastSeconds_ = 0.0;
    // Whether the last snapshot's run was going, and, once a run ended, its last sample.
    bool workloadRunning_ = false;
    std::optional<double> runEndSeconds_;
    double yMaximumMiB_ = 0.0;
};

}  // namespace poolscope
