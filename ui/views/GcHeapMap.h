#pragma once

#include <QRectF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gc/GcHeapSnapshot.h"

class QPainter;
class QVariantAnimation;

namespace poolscope {

// The managed heap's four bands (generations 0, 1, 2 and the large object heap), painted: one
// rectangle per object to the scale of its band, LOH holes hatched, finalizable objects
// flagged. Answers clicks and tooltips from the same rectangles. A new snapshot after one
// collection is reached in a short transition: each surviving object travels from where it was
// drawn to its new place (slid down by compaction, into an older band by promotion). A snapshot
// that shows a collection's mark phase (GcHeapSnapshot::markGeneration) has the mark spread from
// the roots over the objects the collection condemns, in the order it reaches them; what it does
// not reach stays dimmed: the garbage.
class GcHeapMap : public QWidget {
    Q_OBJECT

public:
    struct ObjectRect {
        QRectF rect;
        std::size_t index;  // into the snapshot's objects
    };

    explicit GcHeapMap(QWidget* parent = nullptr);

    // "Gen 1", "LOH": a band's title.
    static QString generationTitle(int generation);
    // "generation 1", "large object heap": the same in a sentence.
    static QString generationName(int generation);

    // Called with the clicked object's address, 0 for a click beside every object.
    std::function<void(quintptr)> onClicked;

    void setSnapshot(std::shared_ptr<const GcHeapSnapshot> snapshot);
    // For a snapshot equal to the shown one: same objects in the same order, so the laid out
    // rectangles stay right and nothing needs painting.
    void setSnapshotQuietly(std::shared_ptr<const GcHeapSnapshot> snapshot);
    void setSelected(quintptr address);
    // Transitions between snapshots; on by default, off for a screenshot.
    void setTransitionsEnabled(bool enabled);
    bool transitionRunning() const;
    // Ends a running transition: the picture as the snapshot is.
    void finishTransition();
    // Where an object is drawn now, part way through a transition included.
    QRectF drawnRectOf(quintptr address) const;
    // While a mark is shown: whether the mark has reached the object so far, and how many
    // objects it reached so far (all it will reach once the transition is over).
    bool markShown() const { return markGeneration_ >= 0; }
    bool markedNow(quintptr address) const;
    std::size_t markedCount() const;

    static constexpr int kTransitionMilliseconds = 500;

    const std::vector<ObjectRect>& objectRects() const { return objects_; }
    const std::vector<QRectF>& holeRects() const { return holes_; }
    QRect rectOf(quintptr address) const;

protected:
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    static constexpr int kRows = 4;  // gen 0, gen 1, gen 2, LOH, drawn top to bottom

    void relayout();
    void paintLegend(QPainter& painter);
    // What a band's label says under its title, most telling first: as many lines as its row
    // has room for are drawn, and all of them are the label's tooltip.
    QStringList bandDetails(int generation) const;
    const ObjectRect* objectAt(QPointF position) const;
    QString toolTipAt(QPoint position) const;
    QRectF drawnRect(const ObjectRect& object) const;
    // Where each surviving object was drawn in `previous`, by its address in this snapshot.
    void startTransition(const GcHeapSnapshot& previous,
                         const std::unordered_map<std::uintptr_t, QRectF>& drawnBefore);

    std::shared_ptr<const GcHeapSnapshot> snapshot_;
    std::unordered_set<std::uintptr_t> fReachable_;
    std::vector<ObjectRect> objects_;
    std::vector<QRectF> holes_;
    QRectF bands_[kRows];
    int objectsPerBand_[kRows] = {0, 0, 0, 0};
    quintptr selected_ = 0;
    bool transitionsEnabled_ = true;
    QVariantAnimation* transition_;
    double transitionProgress_ = 1.0;  // eased, 0 at the old places, 1 at the new
    std::unordered_map<std::uintptr_t, QRectF> transitionFrom_;
    int markGeneration_ = -1;
    std::unordered_map<std::uintptr_t, std::size_t> markRank_;  // by the order the mark reaches
    QVariantAnimation* markSpread_;
    double markProgress_ = 1.0;  // the share of markRank_ reached so far
};

}  // namespace poolscope
