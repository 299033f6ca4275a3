#pragma once

#include <QWidget>

#include <cstdint>

namespace poolscope {

class GcVsPoolComparison;

// The two sides of gc-vs-pool next to each other on one time axis, each with its own byte axis:
// left the managed heap (generations 0, 1, 2 and the LOH's live objects stacked, the LOH's free
// blocks hatched on top, as they hold no object), right the pool (rented and retained chunks).
class GcVsPoolPanes : public QWidget {
    Q_OBJECT

public:
    explicit GcVsPoolPanes(const GcVsPoolComparison& comparison, QWidget* parent = nullptr);

    // The top of each pane's byte axis, in bytes: a round figure over the side's largest total.
    std::uint64_t gcAxisBytes() const;
    std::uint64_t poolAxisBytes() const;
    // Each pane's heading: what the side holds at the last sample.
    QString gcHeading() const;
    QString poolHeading() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    const GcVsPoolComparison& comparison_;
};

}  // namespace poolscope
