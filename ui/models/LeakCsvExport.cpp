#include "models/LeakCsvExport.h"

#include <algorithm>

#include "models/CsvWriter.h"
#include "models/DisplayFormat.h"
#include "models/LeakTableModel.h"

namespace poolscope {

QStringList LeakCsvExport::header() {
    return {QStringLiteral("id"),
            QStringLiteral("bytes"),
            QStringLiteral("tier"),
            QStringLiteral("image"),
            QStringLiteral("thread"),
            QStringLiteral("age_seconds"),
            QStringLiteral("tag"),
            QStringLiteral("top_frame"),
            QStringLiteral("released_without_dispose")};
}

QStringList LeakCsvExport::record(const LeakTableModel& model, const LiveAllocation& row) {
    const double age = static_cast<double>(model.nowNanoseconds() - row.createdNanoseconds) / 1e9;
    return {QString::number(row.id),
            QString::number(row.bytes),
            DisplayFormat::tierName(row.tier),
            LeakTableModel::imageText(row),
            QString::number(row.threadId),
            QString::number(std::max(age, 0.0), 'f', 3),
            model.tagText(row.tagId),
            model.topFrameText(row.stackId),
            row.releasedWithoutDispose ? QStringLiteral("true") : QStringLiteral("false")};
}

bool LeakCsvExport::write(const QString& path, const LeakTableModel& model,
                          const std::vector<int>& modelRows, QString* error) {
    CsvWriter writer(path);
    const bool written = [&] {
        if (!writer.open()) {
            return false;
        }
        writer.writeRecord(header());
        for (const int row : modelRows) {
            writer.writeRecord(record(model, model.allocationAt(row)));
        }
        return writer.commit();
    }();
    if (!written && error != nullptr) {
        *error = tr("Cannot write %1: %2").arg(path, writer.errorString());
    }
    return written;
}

}  // namespace poolscope
