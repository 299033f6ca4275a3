#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <vector>

namespace poolscope {

class LeakTableModel;
struct LiveAllocation;

// The leak table as CSV: a header, then one record per allocation with its raw figures (bytes,
// age in seconds) and the texts the table shows (tier, image, tag, top frame).
class LeakCsvExport {
    Q_DECLARE_TR_FUNCTIONS(LeakCsvExport)

public:
    static QStringList header();
    static QStringList record(const LeakTableModel& model, const LiveAllocation& row);
    // The model's rows at `modelRows`, in that order. False with *error set when the file
    // could not be written.
    static bool write(const QString& path, const LeakTableModel& model,
                      const std::vector<int>& modelRows, QString* error = nullptr);
};

}  // namespace poolscope
