#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QVariant>

#include <cstdint>
#include <memory>
#include <vector>

#include "session/SessionSnapshot.h"

namespace poolscope {

struct ScenarioRunReport;

// gc-vs-pool's two sides as the window compares them: the memory each held over time (the
// managed heap by generation with the LOH's free blocks apart, the pool's rented and retained
// chunks), and a table of figures, one row per figure, GC heap beside pool. The table fills
// from the samples while the run goes and takes the run's own figures (what `poolscope run`
// prints) once it ended.
class GcVsPoolComparison : public QAbstractTableModel {
    Q_OBJECT

public:
    struct Point {
        double seconds = 0.0;
        std::uint64_t generations[3] = {0, 0, 0};
        std::uint64_t largeObjects = 0;     // held by live objects
        std::uint64_t largeObjectFree = 0;  // the LOH's free blocks
        std::uint64_t rented = 0;
        std::uint64_t retained = 0;

        std::uint64_t gcHeld() const {
            return generations[0] + generations[1] + generations[2] + largeObjects;
        }
        std::uint64_t poolHeld() const { return rented + retained; }
    };

    enum Column { FigureColumn, GcColumn, PoolColumn, ColumnCount };
    // A cell's raw figure (bytes or a count, qulonglong), or an invalid variant.
    static constexpr int FigureRole = Qt::UserRole + 1;

    explicit GcVsPoolComparison(QObject* parent = nullptr);

    void clear();
    // Appends the snapshot's new samples and takes its collection counts.
    void addSnapshot(const SessionSnapshot& snapshot);
    // The run ended: its figures replace the ones worked out from the samples.
    void setReport(const ScenarioRunReport& report);

    const std::vector<Point>& points() const { return points_; }
    bool hasReport() const { return hasReport_; }
    // The row of a figure by its label, -1 when there is none.
    int rowOf(const QString& label) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QString label;
        QVariant gc;  // qulonglong, a QString, or invalid when the side has no such figure
        QVariant pool;
        bool bytes = true;
    };
    void setRows(std::vector<Row> rows);
    void updateLiveRows();

    std::vector<Point> points_;
    std::uint64_t collections_[3] = {0, 0, 0};
    std::vector<Row> rows_;
    bool hasReport_ = false;
};

}  // namespace poolscope
