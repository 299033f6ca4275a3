#include "RunReportJson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <variant>

namespace poolscope {

namespace {

QJsonValue toJson(const ScenarioValue& value) {
    return std::visit(
        [](const auto& v) -> QJsonValue {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                return QString::fromStdString(v);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return static_cast<qint64>(v);
            } else {
                return v;
            }
        },
        value);
}

QJsonValue count(std::uint64_t value) {
    return static_cast<qint64>(value);
}

}  // namespace

QJsonObject leakToJson(const LeakRecord& leak) {
    QJsonArray stack;
    QJsonArray frames;
    for (const Frame& frame : leak.stack) {
        stack.append(QString::fromStdString(frame.toString()));
        QJsonObject fields;
        fields.insert(QStringLiteral("function"), QString::fromStdString(frame.function));
        fields.insert(QStringLiteral("file"), QString::fromStdString(frame.file));
        fields.insert(QStringLiteral("line"), frame.line);
        fields.insert(QStringLiteral("module"), QString::fromStdString(frame.module));
        fields.insert(QStringLiteral("address"), QStringLiteral("0x%1").arg(frame.address, 0, 16));
        fields.insert(QStringLiteral("moduleOffset"),
                      QStringLiteral("0x%1").arg(frame.moduleOffset, 0, 16));
        fields.insert(QStringLiteral("inlined"), frame.inlined);
        frames.append(fields);
    }
    QJsonObject entry;
    entry.insert(QStringLiteral("id"), count(leak.id));
    entry.insert(QStringLiteral("bytes"), count(leak.bytes));
    entry.insert(QStringLiteral("tier"), QString::fromLatin1(memoryTierName(leak.tier)));
    entry.insert(QStringLiteral("tag"), QString::fromStdString(leak.tag));
    entry.insert(QStringLiteral("stack"), stack);
    entry.insert(QStringLiteral("stackId"), static_cast<qint64>(leak.stackId));
    entry.insert(QStringLiteral("frames"), frames);
    entry.insert(QStringLiteral("releasedWithoutDispose"), leak.releasedWithoutDispose);
    return entry;
}

QJsonObject runReportToJson(const ScenarioRunReport& report, const RunOptions& options,
                            const RunNotes& notes) {
    QJsonObject parameters;
    for (const auto& [name, value] : report.parameters) {
        parameters.insert(QString::fromStdString(name), toJson(value));
    }

    QJsonObject runOptions;
    // The pool the run had, which the machine's memory may have held below the one asked for.
    runOptions.insert(
        QStringLiteral("poolSizeMegabytes"),
        static_cast<qint64>(report.pool.capacityChunks) * report.pool.chunkBytes / (1024 * 1024));
    runOptions.insert(QStringLiteral("requestedPoolSizeMegabytes"),
                      report.poolSizeMegabytes
                          ? QJsonValue(static_cast<qint64>(*report.poolSizeMegabytes))
                          : QJsonValue(QJsonValue::Null));
    runOptions.insert(QStringLiteral("failOnLeak"), options.failOnLeak);
    runOptions.insert(QStringLiteral("record"), options.recordPath.isEmpty()
                                                    ? QJsonValue(QJsonValue::Null)
                                                    : QJsonValue(options.recordPath));

    QJsonObject pool;
    pool.insert(QStringLiteral("chunkBytes"), static_cast<qint64>(report.pool.chunkBytes));
    pool.insert(QStringLiteral("capacityChunks"), report.pool.capacityChunks);
    pool.insert(QStringLiteral("peakRentedBytes"), count(report.pool.peakRentedBytes));
    pool.insert(QStringLiteral("peakRetainedBytes"), count(report.pool.peakRetainedBytes));
    pool.insert(QStringLiteral("retainedBytesAtEnd"), count(report.pool.retainedBytes));
    pool.insert(QStringLiteral("unpooledPeakBytes"), count(report.pool.unpooledPeakBytes));
    pool.insert(QStringLiteral("trims"), count(report.pool.trims));

    QJsonArray leaks;
    for (const LeakRecord& leak : report.leaks) {
        leaks.append(leakToJson(leak));
    }

    QJsonObject figures;
    for (const auto& [name, value] : report.outcome.figures) {
        figures.insert(QString::fromStdString(name), toJson(value));
    }
    QJsonArray injected;
    for (const InjectedLeak& leak : report.outcome.injectedLeaks) {
        QJsonObject entry;
        entry.insert(QStringLiteral("kind"), QString::fromStdString(leak.kind));
        entry.insert(QStringLiteral("tag"), QString::fromStdString(leak.tag));
        entry.insert(QStringLiteral("function"), QString::fromStdString(leak.function));
        entry.insert(QStringLiteral("allocations"), static_cast<qint64>(leak.allocations));
        entry.insert(QStringLiteral("bytes"), count(leak.bytes));
        entry.insert(QStringLiteral("releasedWithoutDispose"), leak.releasedWithoutDispose);
        injected.append(entry);
    }

    QJsonObject json;
    if (report.gc) {
        const GcRunFigures& gc = *report.gc;
        QJsonObject weakCleared;
        weakCleared.insert(QStringLiteral("short"), count(gc.weakClearedShort));
        weakCleared.insert(QStringLiteral("long"), count(gc.weakClearedLong));
        QJsonObject section;
        section.insert(QStringLiteral("collections"),
                       QJsonArray{count(gc.collections[0]), count(gc.collections[1]),
                                  count(gc.collections[2])});
        section.insert(QStringLiteral("finalizersRun"), count(gc.finalizersRun));
        section.insert(QStringLiteral("resurrections"), count(gc.resurrections));
        section.insert(QStringLiteral("weakCleared"), weakCleared);
        json.insert(QStringLiteral("gc"), section);
    }
    if (report.outcome.images) {
        QJsonArray failed;
        for (const ImageFailure& failure : report.outcome.images->failed) {
            QJsonObject entry;
            entry.insert(QStringLiteral("file"), QString::fromStdString(failure.file));
            entry.insert(QStringLiteral("error"), QString::fromStdString(failure.error));
            failed.append(entry);
        }
        QJsonObject section;
        section.insert(QStringLiteral("processed"),
                       static_cast<qint64>(report.outcome.images->processed));
        section.insert(QStringLiteral("failed"), failed);
        json.insert(QStringLiteral("images"), section);
    }
    json.insert(QStringLiteral("scenario"), QString::fromStdString(report.scenario));
    json.insert(QStringLiteral("parameters"), parameters);
    json.insert(QStringLiteral("options"), runOptions);
    json.insert(QStringLiteral("durationMs"),
                static_cast<double>(report.duration.count()) / 1'000'000.0);
    json.insert(QStringLiteral("pool"), pool);
    json.insert(QStringLiteral("leaks"), leaks);
    json.insert(QStringLiteral("undisposedAtEnd"), static_cast<qint64>(report.undisposedAtEnd));
    json.insert(QStringLiteral("droppedEvents"), count(report.droppedEvents));
    json.insert(QStringLiteral("eventsObserved"), count(report.eventsObserved));
    json.insert(QStringLiteral("cancelled"), report.outcome.cancelled);
    json.insert(QStringLiteral("figures"), figures);
    json.insert(QStringLiteral("injectedLeaks"), injected);
    QJsonArray missing;
    for (const ModuleSymbolStatus& status : report.missingSymbols) {
        QJsonObject entry;
        entry.insert(QStringLiteral("module"), QString::fromStdString(status.module));
        entry.insert(QStringLiteral("unnamedFrames"), count(status.unnamedFrames));
        entry.insert(QStringLiteral("framesWithoutSource"), count(status.framesWithoutSource));
        entry.insert(QStringLiteral("reason"), QString::fromStdString(status.reason));
        missing.append(entry);
    }
    json.insert(QStringLiteral("missingSymbols"), missing);
    if (notes.recordingDroppedEvents) {
        json.insert(QStringLiteral("recordingDroppedEvents"), count(*notes.recordingDroppedEvents));
    }
    json.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(notes.warnings));
    QStringList errors = notes.errors;
    if (!report.error.empty()) {
        errors.prepend(QString::fromStdString(report.error));
    }
    if (!errors.isEmpty()) {
        json.insert(QStringLiteral("error"), errors.join(QStringLiteral("; ")));
    }
    for (auto section = notes.sections.begin(); section != notes.sections.end(); ++section) {
        json.insert(section.key(), section.value());
    }
    return json;
}

bool writeRunReport(const QString& path, const ScenarioRunReport& report, const RunOptions& options,
                    const RunNotes& notes, std::ostream& errors) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        errors << "poolscope: cannot write the report to " << path.toStdString() << ": "
               << file.errorString().toStdString() << '\n';
        return false;
    }
    file.write(
        QJsonDocument(runReportToJson(report, options, notes)).toJson(QJsonDocument::Indented));
    if (!file.flush()) {
        errors << "poolscope: cannot write the report to " << path.toStdString() << ": "
               << file.errorString().toStdString() << '\n';
        return false;
    }
    return true;
}

}  // namespace poolscope
