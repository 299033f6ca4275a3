#pragma once

#include <QColor>
#include <QElapsedTimer>
#include <QRect>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

#include "session/SessionSnapshot.h"

namespace poolscope {

// The uniform chunk pool as a grid, one cell per 4 MiB slot: never created, retained (free but
// committed) or rented, rented cells in the colour of the allocation that holds them. Below the
// grid, strips for the memory outside the pool (unpooled and small-buffer allocations) and a
// legend. Slots that a trim just gave back to the OS flash for a moment, so a trim is seen as
// it happens. A click selects the allocation under the mouse.
class PoolMapView : public QWidget {
    Q_OBJECT

public:
    explicit PoolMapView(QWidget* parent = nullptr);

    void setSnapshot(const std::shared_ptr<const poolscope::SessionSnapshot>& snapshot);
    // Outlines every cell and strip segment of this allocation; 0 selects nothing.
    void setSelectedAllocation(quint64 id);
    quint64 selectedAllocation() const { return selected_; }

    int rentedCellCount() const;
    int cellCount() const;
    // Where slot `slot` is drawn, in widget coordinates; empty for a slot that does not exist.
    QRect cellRect(int slot) const;
    // The line above the grid, and where it is drawn (wrapped over two lines when narrow).
    QString headerText() const;
    QRect headerRect() const { return geometry_.header; }
    // The unpooled strip's title, as drawn.
    QString unpooledText() const { return geometry_.unpooled.title; }

    // The colour of an allocation wherever PoolScope draws one: stable, and the same for every
    // chunk of it.
    static QColor allocationColour(quint64 id);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void allocationSelected(quint64 id);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    // A piece of an outside-the-pool strip: one allocation, as wide as its share of the bytes.
    struct StripSegment {
        QRect rect;
        quint64 allocationId = 0;
    };
    struct Strip {
        QString title;
        QRect labelRect;
        QRect barRect;
        std::vector<StripSegment> segments;
        std::uint64_t bytes = 0;
        int allocations = 0;
    };
    struct Geometry {
        QRect header;
        QRect grid;
        int columns = 1;
        int cellSide = 0;
        Strip unpooled;
        Strip small;
        QRect legend;
    };

    void rebuildGeometry();
    QString headerText(int rented, int retained, int neverCreated) const;
    void fillStrip(Strip& strip, MemoryTier tier, const QRect& labelRect, const QRect& barRect);
    void noteTrimmedSlots(const SessionSnapshot& previous, const SessionSnapshot& next);
    double flashStrength(int slot) const;
    void paintGrid(QPainter& painter) const;
    void paintStrip(QPainter& painter, const Strip& strip) const;
    void paintLegend(QPainter& painter) const;
    int slotAt(const QPoint& position) const;
    quint64 stripAllocationAt(const QPoint& position) const;
    QString slotToolTip(int slot) const;
    QString allocationToolTip(quint64 id) const;

    std::shared_ptr<const SessionSnapshot> snapshot_;
    quint64 selected_ = 0;
    Geometry geometry_;

    // Milliseconds on flashClock_ at which each slot was trimmed; -1 when it was not lately.
    std::vector<qint64> trimmedAt_;
    QElapsedTimer flashClock_;
    QTimer flashTimer_;
};

}  // namespace poolscope
