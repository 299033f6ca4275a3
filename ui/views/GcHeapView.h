#pragma once

#include <QRect>
#include <QString>
#include <QWidget>
#include <QtGlobal>
#include <memory>
#include <unordered_map>
#include <vector>

#include "gc/GcHeapSnapshot.h"

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace poolscope {

class GcHeapMap;
class GcQueueJourney;

// The managed heap as a teacher shows it: generations 0, 1, 2 and the large object heap as
// bands drawn to scale with their objects (coloured by type, finalizable ones marked, LOH holes
// hatched), the finalization and f-reachable queues, the GC handle table, and for a clicked
// object the chain of references from a root that keeps it alive. It draws immutable snapshots
// only and never touches a heap; the buttons ask whoever owns the heap to act.
class GcHeapView : public QWidget {
    Q_OBJECT

public:
    explicit GcHeapView(QWidget* parent = nullptr);
    ~GcHeapView() override;

    // Cheap to call at the session's snapshot rate: a snapshot equal to the shown one (same
    // collection count, objects, queues and handles) changes nothing and repaints nothing.
    void setSnapshot(std::shared_ptr<const poolscope::GcHeapSnapshot> snapshot);
    void setLesson(const QString& title, const QString& explanation);
    void setLessonControlsEnabled(bool enabled);
    // Objects travel to their new places over half a second after a collection; off for a
    // screenshot, which shows the heap as it is.
    void setTransitionsEnabled(bool enabled);

    // For tests and for the window that hosts the view.
    std::shared_ptr<const poolscope::GcHeapSnapshot> snapshot() const { return snapshot_; }
    QWidget* heapMap() const;
    // Rectangles in heapMap() coordinates.
    int objectRectCount() const;
    QRect objectRect(quintptr address) const;
    int largeObjectHoleRectCount() const;
    QRect largeObjectHoleRect(int index) const;
    quintptr selectedAddress() const { return selected_; }
    QString retentionPathText() const;
    // Objects on their way from the finalization queue to the f-reachable queue.
    const GcQueueJourney& queueJourney() const { return *journey_; }
    // How many times a snapshot was taken in (tables rebuilt, map relaid out and repainted).
    int snapshotChanges() const { return snapshotChanges_; }

    // Selects the object at `address` (0 clears the selection) as a click on it does.
    void selectObject(quintptr address);

signals:
    void collectRequested(int generation);
    void stepLessonRequested();
    void objectSelected(quintptr address);

private:
    QWidget* createLessonPanel();
    QWidget* createTables();
    void rebuildTables();
    void showRetentionPath();
    QTreeWidget* createTable(const QString& objectName, const QStringList& headers);
    void fillObjectRow(QTreeWidgetItem* item, quintptr address) const;
    // Each shown row of `table` by the object's address, in this view's coordinates.
    std::unordered_map<std::uintptr_t, QRect> rowRects(
        QTreeWidget* table, const std::vector<std::uintptr_t>& addresses) const;

    std::shared_ptr<const poolscope::GcHeapSnapshot> snapshot_;
    std::uint64_t fingerprint_ = 0;
    int snapshotChanges_ = 0;
    quintptr selected_ = 0;

    QLabel* lessonTitle_ = nullptr;
    QLabel* lessonText_ = nullptr;
    QPushButton* collectButtons_[3] = {nullptr, nullptr, nullptr};
    QPushButton* stepButton_ = nullptr;
    QLabel* summary_ = nullptr;
    GcHeapMap* map_ = nullptr;
    QTreeWidget* finalizationQueue_ = nullptr;
    QTreeWidget* fReachableQueue_ = nullptr;
    QTreeWidget* handles_ = nullptr;
    QLabel* retentionPath_ = nullptr;
    GcQueueJourney* journey_ = nullptr;
    bool transitionsEnabled_ = true;
};

}  // namespace poolscope
