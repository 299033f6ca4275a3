#include "session/RecordedRunSummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>
#include <limits>
#include <map>
#include <type_traits>
#include <variant>

namespace poolscope {

namespace {

// Doubles hold whole numbers exactly up to here; above it they are written as text.
constexpr std::uint64_t kExactInDouble = std::uint64_t{1} << 53;

// A problem with the stored text, found while reading it; fromText() names the recording.
class Malformed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

QString text(const std::string& value) {
    return QString::fromStdString(value);
}

QJsonValue whole(std::uint64_t value) {
    return value <= kExactInDouble ? QJsonValue(static_cast<double>(value))
                                   : QJsonValue(QString::number(value));
}

QJsonValue whole(std::int64_t value) {
    const std::uint64_t magnitude = value < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                                              : static_cast<std::uint64_t>(value);
    return magnitude <= kExactInDouble ? QJsonValue(static_cast<double>(value))
                                       : QJsonValue(QString::number(value));
}

// JSON has no NaN or infinity; a figure can be either (a ratio over nothing).
QJsonValue real(double value) {
    if (std::isnan(value)) {
        return QStringLiteral("nan");
    }
    if (std::isinf(value)) {
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    }
    return value;
}

QJsonObject namedValue(const std::string& name, const ScenarioValue& value) {
    QJsonObject entry;
    entry.insert(QStringLiteral("name"), text(name));
    std::visit(
        [&entry](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                entry.insert(QStringLiteral("type"), QStringLiteral("integer"));
                entry.insert(QStringLiteral("value"), whole(v));
            } else if constexpr (std::is_same_v<T, double>) {
                entry.insert(QStringLiteral("type"), QStringLiteral("real"));
                entry.insert(QStringLiteral("value"), real(v));
            } else if constexpr (std::is_same_v<T, bool>) {
                entry.insert(QStringLiteral("type"), QStringLiteral("boolean"));
                entry.insert(QStringLiteral("value"), v);
            } else {
                entry.insert(QStringLiteral("type"), QStringLiteral("text"));
                entry.insert(QStringLiteral("value"), text(v));
            }
        },
        value);
    return entry;
}

QJsonArray namedValues(const std::vector<std::pair<std::string, ScenarioValue>>& values) {
    QJsonArray array;
    for (const auto& [name, value] : values) {
        array.append(namedValue(name, value));
    }
    return array;
}

QJsonArray framesToJson(const std::vector<Frame>& frames) {
    QJsonArray array;
    for (const Frame& frame : frames) {
        QJsonObject entry;
        entry.insert(QStringLiteral("function"), text(frame.function));
        entry.insert(QStringLiteral("file"), text(frame.file));
        entry.insert(QStringLiteral("line"), frame.line);
        entry.insert(QStringLiteral("module"), text(frame.module));
        entry.insert(QStringLiteral("address"), whole(frame.address));
        entry.insert(QStringLiteral("moduleOffset"), whole(frame.moduleOffset));
        entry.insert(QStringLiteral("inlined"), frame.inlined);
        array.append(entry);
    }
    return array;
}

QJsonObject layoutToJson(const ImageBufferLayout& layout) {
    QJsonObject entry;
    entry.insert(QStringLiteral("chunks"), layout.chunks);
    entry.insert(QStringLiteral("rowsPerChunk"), whole(layout.rowsPerChunk));
    entry.insert(QStringLiteral("singlePixelMemory"), layout.singlePixelMemory);
    entry.insert(QStringLiteral("unpooledBytes"), whole(layout.unpooledBytes));
    return entry;
}

// Reads one JSON object's fields, each checked for its type; what is wrong is said with the
// field's path ("leaks[3].tier").
class Fields {
public:
    Fields(const QJsonValue& value, QString path) : path_(std::move(path)) {
        if (!value.isObject()) {
            fail(QStringLiteral("is not an object"));
        }
        object_ = value.toObject();
    }

    Fields object(const char* key) const { return Fields(get(key), pathOf(key)); }
    bool has(const char* key) const {
        return object_.contains(QLatin1String(key)) && !object_.value(QLatin1String(key)).isNull();
    }
    QJsonArray array(const char* key) const {
        const QJsonValue value = get(key);
        if (!value.isArray()) {
            failAt(key, QStringLiteral("is not a list"));
        }
        return value.toArray();
    }
    std::string string(const char* key) const {
        const QJsonValue value = get(key);
        if (!value.isString()) {
            failAt(key, QStringLiteral("is not text"));
        }
        return value.toString().toStdString();
    }
    bool boolean(const char* key) const {
        const QJsonValue value = get(key);
        if (!value.isBool()) {
            failAt(key, QStringLiteral("is not true or false"));
        }
        return value.toBool();
    }
    double real(const char* key) const { return realOf(get(key), pathOf(key)); }
    template <typename T>
    T integer(const char* key) const {
        return integerOf<T>(get(key), pathOf(key));
    }

    static double realOf(const QJsonValue& value, const QString& path) {
        if (value.isDouble()) {
            return value.toDouble();
        }
        const QString word = value.toString();
        if (word == QLatin1String("nan")) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        if (word == QLatin1String("inf") || word == QLatin1String("-inf")) {
            const double infinity = std::numeric_limits<double>::infinity();
            return word.startsWith(u'-') ? -infinity : infinity;
        }
        throw Malformed(path.toStdString() + " is not a number");
    }

    template <typename T>
    static T integerOf(const QJsonValue& value, const QString& path) {
        bool ok = false;
        T result{};
        if (value.isDouble()) {
            const double number = value.toDouble();
            ok = std::floor(number) == number &&
                 number >= static_cast<double>(std::numeric_limits<T>::min()) &&
                 number <= static_cast<double>(std::numeric_limits<T>::max());
            if (ok) {
                result = static_cast<T>(number);
            }
        } else if (value.isString()) {
            if constexpr (std::is_signed_v<T>) {
                const qlonglong parsed = value.toString().toLongLong(&ok);
                ok = ok && parsed >= std::numeric_limits<T>::min() &&
                     parsed <= std::numeric_limits<T>::max();
                result = static_cast<T>(parsed);
            } else {
                const qulonglong parsed = value.toString().toULongLong(&ok);
                ok = ok && parsed <= std::numeric_limits<T>::max();
                result = static_cast<T>(parsed);
            }
        }
        if (!ok) {
            throw Malformed(path.toStdString() + " is not a whole number in range");
        }
        return result;
    }

    QString pathOf(const char* key) const {
        return path_.isEmpty() ? QString::fromLatin1(key)
                               : path_ + QLatin1Char('.') + QLatin1String(key);
    }
    [[noreturn]] void fail(const QString& problem) const {
        throw Malformed((path_.isEmpty() ? QStringLiteral("the summary") : path_).toStdString() +
                        " " + problem.toStdString());
    }

private:
    QJsonValue get(const char* key) const {
        if (!object_.contains(QLatin1String(key))) {
            throw Malformed(pathOf(key).toStdString() + " is missing");
        }
        return object_.value(QLatin1String(key));
    }
    [[noreturn]] void failAt(const char* key, const QString& problem) const {
        throw Malformed(pathOf(key).toStdString() + " " + problem.toStdString());
    }

    QJsonObject object_;
    QString path_;
};

QString item(const QString& path, const char* key, qsizetype index) {
    return (path.isEmpty() ? QString() : path + QLatin1Char('.')) + QLatin1String(key) +
           QStringLiteral("[%1]").arg(index);
}

std::vector<std::pair<std::string, ScenarioValue>> namedValuesOf(const Fields& fields,
                                                                 const char* key) {
    std::vector<std::pair<std::string, ScenarioValue>> values;
    const QJsonArray array = fields.array(key);
    for (qsizetype i = 0; i < array.size(); ++i) {
        const Fields entry(array.at(i), item({}, key, i));
        const std::string type = entry.string("type");
        ScenarioValue value;
        if (type == "integer") {
            value = entry.integer<std::int64_t>("value");
        } else if (type == "real") {
            value = entry.real("value");
        } else if (type == "boolean") {
            value = entry.boolean("value");
        } else if (type == "text") {
            value = entry.string("value");
        } else {
            throw Malformed(entry.pathOf("type").toStdString() + " is '" + type +
                            "', not integer, real, boolean or text");
        }
        values.emplace_back(entry.string("name"), std::move(value));
    }
    return values;
}

std::vector<Frame> framesOf(const QJsonArray& array, const QString& path) {
    std::vector<Frame> frames;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const Fields entry(array.at(i), path + QStringLiteral("[%1]").arg(i));
        Frame frame;
        frame.function = entry.string("function");
        frame.file = entry.string("file");
        frame.line = entry.integer<int>("line");
        frame.module = entry.string("module");
        frame.address = entry.integer<std::uint64_t>("address");
        frame.moduleOffset = entry.integer<std::uint64_t>("moduleOffset");
        frame.inlined = entry.boolean("inlined");
        frames.push_back(std::move(frame));
    }
    return frames;
}

MemoryTier tierNamed(const std::string& name, const QString& path) {
    for (int tier = 0; tier <= static_cast<int>(kLastMemoryTier); ++tier) {
        if (name == memoryTierName(static_cast<MemoryTier>(tier))) {
            return static_cast<MemoryTier>(tier);
        }
    }
    throw Malformed(path.toStdString() + " is '" + name + "', which names no memory tier");
}

ImageBufferLayout layoutOf(const Fields& fields) {
    ImageBufferLayout layout;
    layout.chunks = fields.integer<int>("chunks");
    layout.rowsPerChunk = fields.integer<std::int64_t>("rowsPerChunk");
    layout.singlePixelMemory = fields.boolean("singlePixelMemory");
    layout.unpooledBytes = fields.integer<std::uint64_t>("unpooledBytes");
    return layout;
}

// Leaks of one stack share its frames: they are stored once, under the stack's id.
QJsonObject leaksToJson(const std::vector<LeakRecord>& leaks) {
    std::map<StackId, const std::vector<Frame>*> stacks;
    QJsonArray stackArray;
    QJsonArray leakArray;
    for (const LeakRecord& leak : leaks) {
        QJsonObject entry;
        entry.insert(QStringLiteral("id"), whole(leak.id));
        entry.insert(QStringLiteral("bytes"), whole(leak.bytes));
        entry.insert(QStringLiteral("tier"), QString::fromLatin1(memoryTierName(leak.tier)));
        entry.insert(QStringLiteral("tag"), text(leak.tag));
        entry.insert(QStringLiteral("stackId"), whole(std::uint64_t{leak.stackId}));
        entry.insert(QStringLiteral("releasedWithoutDispose"), leak.releasedWithoutDispose);
        const auto [known, added] = stacks.try_emplace(leak.stackId, &leak.stack);
        if (leak.stackId != 0 && added) {
            QJsonObject stack;
            stack.insert(QStringLiteral("stackId"), whole(std::uint64_t{leak.stackId}));
            stack.insert(QStringLiteral("frames"), framesToJson(leak.stack));
            stackArray.append(stack);
        } else if (leak.stackId == 0 || *known->second != leak.stack) {
            // No stack to share, or frames of its own: kept with the leak.
            entry.insert(QStringLiteral("frames"), framesToJson(leak.stack));
        }
        leakArray.append(entry);
    }
    QJsonObject json;
    json.insert(QStringLiteral("stacks"), stackArray);
    json.insert(QStringLiteral("records"), leakArray);
    return json;
}

std::vector<LeakRecord> leaksOf(const Fields& fields) {
    std::map<StackId, std::vector<Frame>> stacks;
    const QJsonArray stackArray = fields.array("stacks");
    for (qsizetype i = 0; i < stackArray.size(); ++i) {
        const QString path = item(QStringLiteral("leaks"), "stacks", i);
        const Fields stack(stackArray.at(i), path);
        stacks[stack.integer<StackId>("stackId")] =
            framesOf(stack.array("frames"), path + QStringLiteral(".frames"));
    }
    std::vector<LeakRecord> leaks;
    const QJsonArray records = fields.array("records");
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QString path = item(QStringLiteral("leaks"), "records", i);
        const Fields entry(records.at(i), path);
        LeakRecord leak;
        leak.id = entry.integer<AllocationId>("id");
        leak.bytes = entry.integer<std::uint64_t>("bytes");
        leak.tier = tierNamed(entry.string("tier"), entry.pathOf("tier"));
        leak.tag = entry.string("tag");
        leak.stackId = entry.integer<StackId>("stackId");
        leak.releasedWithoutDispose = entry.boolean("releasedWithoutDispose");
        if (entry.has("frames")) {
            leak.stack = framesOf(entry.array("frames"), path + QStringLiteral(".frames"));
        } else if (const auto stack = stacks.find(leak.stackId); stack != stacks.end()) {
            leak.stack = stack->second;
        } else {
            throw Malformed(path.toStdString() + " names stack " + std::to_string(leak.stackId) +
                            ", which the summary does not hold");
        }
        leaks.push_back(std::move(leak));
    }
    return leaks;
}

ScenarioRunReport reportOf(const Fields& json) {
    ScenarioRunReport report;
    report.scenario = json.string("scenario");
    report.parameters = namedValuesOf(json, "parameters");
    if (json.has("poolSizeMegabytes")) {
        report.poolSizeMegabytes = json.integer<std::int64_t>("poolSizeMegabytes");
    }
    report.duration = std::chrono::nanoseconds(json.integer<std::int64_t>("durationNanoseconds"));

    const Fields pool = json.object("pool");
    report.pool.chunkBytes = pool.integer<std::int64_t>("chunkBytes");
    report.pool.capacityChunks = pool.integer<int>("capacityChunks");
    report.pool.peakRentedBytes = pool.integer<std::uint64_t>("peakRentedBytes");
    report.pool.peakRetainedBytes = pool.integer<std::uint64_t>("peakRetainedBytes");
    report.pool.retainedBytes = pool.integer<std::uint64_t>("retainedBytes");
    report.pool.unpooledPeakBytes = pool.integer<std::uint64_t>("unpooledPeakBytes");
    report.pool.trims = pool.integer<std::uint64_t>("trims");
    report.pool.chunkRents = pool.integer<std::uint64_t>("chunkRents");
    report.pool.chunkReturns = pool.integer<std::uint64_t>("chunkReturns");

    report.leaks = leaksOf(json.object("leaks"));
    report.undisposedAtEnd = json.integer<std::int64_t>("undisposedAtEnd");
    report.eventsObserved = json.integer<std::uint64_t>("eventsObserved");
    report.droppedEvents = json.integer<std::uint64_t>("droppedEvents");
    if (json.has("gc")) {
        const Fields gc = json.object("gc");
        GcRunFigures figures;
        const QJsonArray collections = gc.array("collections");
        if (collections.size() != 3) {
            throw Malformed("gc.collections holds " + std::to_string(collections.size()) +
                            " counts, not one for each of the 3 generations");
        }
        for (qsizetype g = 0; g < 3; ++g) {
            figures.collections[g] = Fields::integerOf<std::uint64_t>(
                collections.at(g), QStringLiteral("gc.collections[%1]").arg(g));
        }
        figures.finalizersRun = gc.integer<std::uint64_t>("finalizersRun");
        figures.resurrections = gc.integer<std::uint64_t>("resurrections");
        figures.weakClearedShort = gc.integer<std::uint64_t>("weakClearedShort");
        figures.weakClearedLong = gc.integer<std::uint64_t>("weakClearedLong");
        figures.pauseNanoseconds = gc.integer<std::uint64_t>("pauseNanoseconds");
        report.gc = figures;
    }

    ScenarioOutcome& outcome = report.outcome;
    outcome.cancelled = json.boolean("cancelled");
    outcome.figures = namedValuesOf(json, "figures");
    const QJsonArray injected = json.array("injectedLeaks");
    for (qsizetype i = 0; i < injected.size(); ++i) {
        const Fields entry(injected.at(i), item({}, "injectedLeaks", i));
        outcome.injectedLeaks.push_back(
            {entry.string("kind"), entry.string("tag"), entry.string("function"),
             entry.integer<std::int64_t>("allocations"), entry.integer<std::uint64_t>("bytes"),
             entry.boolean("releasedWithoutDispose")});
    }
    if (json.has("images")) {
        const Fields images = json.object("images");
        ImageResults results;
        results.processed = images.integer<std::int64_t>("processed");
        const QJsonArray failed = images.array("failed");
        for (qsizetype i = 0; i < failed.size(); ++i) {
            const Fields entry(failed.at(i), item(QStringLiteral("images"), "failed", i));
            results.failed.push_back({entry.string("file"), entry.string("error")});
        }
        outcome.images = std::move(results);
    }
    const QJsonArray comparisons = json.array("layoutComparisons");
    for (qsizetype i = 0; i < comparisons.size(); ++i) {
        const Fields entry(comparisons.at(i), item({}, "layoutComparisons", i));
        ImageLayoutComparison comparison;
        comparison.file = entry.string("file");
        comparison.width = entry.integer<int>("width");
        comparison.height = entry.integer<int>("height");
        comparison.discontiguous = layoutOf(entry.object("discontiguous"));
        comparison.contiguous = layoutOf(entry.object("contiguous"));
        outcome.layoutComparisons.push_back(std::move(comparison));
    }
    report.error = json.string("error");
    const QJsonArray missing = json.array("missingSymbols");
    for (qsizetype i = 0; i < missing.size(); ++i) {
        const Fields entry(missing.at(i), item({}, "missingSymbols", i));
        report.missingSymbols.push_back(
            {entry.string("module"), entry.integer<std::uint64_t>("unnamedFrames"),
             entry.integer<std::uint64_t>("framesWithoutSource"), entry.string("reason")});
    }
    return report;
}

std::string valueOr(const std::map<std::string, std::string>& metadata, const char* key) {
    const auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : it->second;
}

// Why a recording holds no results, from what its meta table says it is.
QString whyNoResults(const std::map<std::string, std::string>& metadata) {
    const std::string scenario = valueOr(metadata, "scenario");
    if (scenario.empty()) {
        const std::string program = valueOr(metadata, "program");
        return program.empty() ? QStringLiteral(
                                     "This recording names no scenario run: it holds events, "
                                     "and results come from a scenario's run.")
                               : QStringLiteral(
                                     "This recording is of the program %1: it holds the "
                                     "program's events; results come from a scenario's run.")
                                     .arg(text(program));
    }
    if (valueOr(metadata, "finished") != "1") {
        return QStringLiteral(
                   "The run of %1 that made this recording never finished (it was killed, or "
                   "is still writing): the file holds its events until then, but no results. "
                   "Run the scenario to see them here.")
            .arg(text(scenario));
    }
    const std::string version = valueOr(metadata, "poolscope_version");
    return QStringLiteral(
               "This recording of %1 (made by %2) holds the run's events but not its results: "
               "it is older than recordings that keep them. Run the scenario to see them here.")
        .arg(text(scenario), version.empty() ? QStringLiteral("an older PoolScope")
                                             : QStringLiteral("PoolScope %1").arg(text(version)));
}

}  // namespace

std::string RecordedRunSummary::toText(const ScenarioRunReport& report) {
    QJsonObject json;
    json.insert(QStringLiteral("version"), kVersion);
    json.insert(QStringLiteral("scenario"), text(report.scenario));
    // At the top level, where a person reading the meta table sees a cut-short run at once.
    json.insert(QStringLiteral("cancelled"), report.outcome.cancelled);
    json.insert(QStringLiteral("parameters"), namedValues(report.parameters));
    json.insert(QStringLiteral("poolSizeMegabytes"), report.poolSizeMegabytes
                                                         ? whole(*report.poolSizeMegabytes)
                                                         : QJsonValue(QJsonValue::Null));
    json.insert(QStringLiteral("durationNanoseconds"),
                whole(static_cast<std::int64_t>(report.duration.count())));

    QJsonObject pool;
    pool.insert(QStringLiteral("chunkBytes"), whole(report.pool.chunkBytes));
    pool.insert(QStringLiteral("capacityChunks"), report.pool.capacityChunks);
    pool.insert(QStringLiteral("peakRentedBytes"), whole(report.pool.peakRentedBytes));
    pool.insert(QStringLiteral("peakRetainedBytes"), whole(report.pool.peakRetainedBytes));
    pool.insert(QStringLiteral("retainedBytes"), whole(report.pool.retainedBytes));
    pool.insert(QStringLiteral("unpooledPeakBytes"), whole(report.pool.unpooledPeakBytes));
    pool.insert(QStringLiteral("trims"), whole(report.pool.trims));
    pool.insert(QStringLiteral("chunkRents"), whole(report.pool.chunkRents));
    pool.insert(QStringLiteral("chunkReturns"), whole(report.pool.chunkReturns));
    json.insert(QStringLiteral("pool"), pool);

    json.insert(QStringLiteral("leaks"), leaksToJson(report.leaks));
    json.insert(QStringLiteral("undisposedAtEnd"), whole(report.undisposedAtEnd));
    json.insert(QStringLiteral("eventsObserved"), whole(report.eventsObserved));
    json.insert(QStringLiteral("droppedEvents"), whole(report.droppedEvents));
    if (report.gc) {
        const GcRunFigures& gc = *report.gc;
        QJsonObject section;
        section.insert(QStringLiteral("collections"),
                       QJsonArray{whole(gc.collections[0]), whole(gc.collections[1]),
                                  whole(gc.collections[2])});
        section.insert(QStringLiteral("finalizersRun"), whole(gc.finalizersRun));
        section.insert(QStringLiteral("resurrections"), whole(gc.resurrections));
        section.insert(QStringLiteral("weakClearedShort"), whole(gc.weakClearedShort));
        section.insert(QStringLiteral("weakClearedLong"), whole(gc.weakClearedLong));
        section.insert(QStringLiteral("pauseNanoseconds"), whole(gc.pauseNanoseconds));
        json.insert(QStringLiteral("gc"), section);
    } else {
        json.insert(QStringLiteral("gc"), QJsonValue(QJsonValue::Null));
    }

    const ScenarioOutcome& outcome = report.outcome;
    json.insert(QStringLiteral("figures"), namedValues(outcome.figures));
    QJsonArray injected;
    for (const InjectedLeak& leak : outcome.injectedLeaks) {
        QJsonObject entry;
        entry.insert(QStringLiteral("kind"), text(leak.kind));
        entry.insert(QStringLiteral("tag"), text(leak.tag));
        entry.insert(QStringLiteral("function"), text(leak.function));
        entry.insert(QStringLiteral("allocations"), whole(leak.allocations));
        entry.insert(QStringLiteral("bytes"), whole(leak.bytes));
        entry.insert(QStringLiteral("releasedWithoutDispose"), leak.releasedWithoutDispose);
        injected.append(entry);
    }
    json.insert(QStringLiteral("injectedLeaks"), injected);
    if (outcome.images) {
        QJsonArray failed;
        for (const ImageFailure& failure : outcome.images->failed) {
            QJsonObject entry;
            entry.insert(QStringLiteral("file"), text(failure.file));
            entry.insert(QStringLiteral("error"), text(failure.error));
            failed.append(entry);
        }
        QJsonObject images;
        images.insert(QStringLiteral("processed"), whole(outcome.images->processed));
        images.insert(QStringLiteral("failed"), failed);
        json.insert(QStringLiteral("images"), images);
    } else {
        json.insert(QStringLiteral("images"), QJsonValue(QJsonValue::Null));
    }
    QJsonArray comparisons;
    for (const ImageLayoutComparison& comparison : outcome.layoutComparisons) {
        QJsonObject entry;
        entry.insert(QStringLiteral("file"), text(comparison.file));
        entry.insert(QStringLiteral("width"), comparison.width);
        entry.insert(QStringLiteral("height"), comparison.height);
        entry.insert(QStringLiteral("discontiguous"), layoutToJson(comparison.discontiguous));
        entry.insert(QStringLiteral("contiguous"), layoutToJson(comparison.contiguous));
        comparisons.append(entry);
    }
    json.insert(QStringLiteral("layoutComparisons"), comparisons);
    json.insert(QStringLiteral("error"), text(report.error));
    QJsonArray missing;
    for (const ModuleSymbolStatus& status : report.missingSymbols) {
        QJsonObject entry;
        entry.insert(QStringLiteral("module"), text(status.module));
        entry.insert(QStringLiteral("unnamedFrames"), whole(status.unnamedFrames));
        entry.insert(QStringLiteral("framesWithoutSource"), whole(status.framesWithoutSource));
        entry.insert(QStringLiteral("reason"), text(status.reason));
        missing.append(entry);
    }
    json.insert(QStringLiteral("missingSymbols"), missing);
    return QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
}

ScenarioRunReport RecordedRunSummary::fromText(const std::string& recordingPath,
                                               const std::string& text) {
    const std::string cannot =
        "the results stored in the recording " + recordingPath + " cannot be read: ";
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromStdString(text), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        throw Refused(cannot + "they are not JSON (" + parseError.errorString().toStdString() +
                      " at character " + std::to_string(parseError.offset) + ")");
    }
    if (!document.isObject()) {
        throw Refused(cannot + "they are not a JSON object");
    }
    const QJsonValue version = document.object().value(QLatin1String("version"));
    if (!version.isDouble() || version.toDouble() != kVersion) {
        const std::string given =
            version.isDouble() ? "version " + QString::number(version.toDouble()).toStdString()
                               : std::string("no version");
        throw Refused(cannot + "they are of " + given + ", and this PoolScope reads version " +
                      std::to_string(kVersion) + " (a newer PoolScope may read them)");
    }
    try {
        return reportOf(Fields(document.object(), QString()));
    } catch (const Malformed& problem) {
        throw Refused(cannot + problem.what());
    }
}

RecordedRunResults RecordedRunSummary::fromMetadata(
    const std::string& recordingPath, const std::map<std::string, std::string>& metadata) {
    RecordedRunResults results;
    const auto stored = metadata.find(kMetaKey);
    if (stored == metadata.end()) {
        results.state = RecordedRunResults::State::Absent;
        results.message = whyNoResults(metadata);
        return results;
    }
    try {
        results.report = fromText(recordingPath, stored->second);
        results.state = RecordedRunResults::State::Stored;
    } catch (const Refused& refused) {
        results.state = RecordedRunResults::State::Refused;
        results.message = QString::fromStdString(refused.what());
    }
    return results;
}

}  // namespace poolscope
