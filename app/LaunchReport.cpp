#include "LaunchReport.h"

#include <QJsonArray>

#include <csignal>
#include <cstring>

#include "scenarios/RunSummary.h"

namespace poolscope {

namespace {

constexpr std::size_t kFramesShownPerStack = 8;

QJsonArray leaksToJson(const std::vector<LeakRecord>& leaks) {
    QJsonArray array;
    for (const LeakRecord& leak : leaks) {
        array.append(leakToJson(leak));
    }
    return array;
}

QJsonArray stackToJson(const std::vector<Frame>& stack) {
    QJsonArray array;
    for (const Frame& frame : stack) {
        array.append(QString::fromStdString(frame.toString()));
    }
    return array;
}

void printStacks(const std::vector<LeakRecord>& leaks, const char* heading, std::ostream& out) {
    const std::vector<RunSummary::LeakStack> stacks = RunSummary::leakStacks(leaks);
    for (std::size_t g = 0; g < stacks.size(); ++g) {
        const RunSummary::LeakStack& stack = stacks[g];
        const LeakRecord& first = *stack.leaks.front();
        out << '\n' << heading << ' ' << g + 1 << ": " << RunSummary::describe(stack) << '\n';
        if (first.stack.empty()) {
            out << "  (no stack was captured)\n";
        }
        for (std::size_t i = 0; i < first.stack.size() && i < kFramesShownPerStack; ++i) {
            out << "  at " << first.stack[i].toString() << '\n';
        }
    }
}

}  // namespace

void LaunchReport::classify(std::vector<LeakRecord> leftBehind,
                            const LeakSuppressions& suppressions,
                            const std::optional<std::unordered_set<AllocationId>>& reachable) {
    NativeLeaks sorted = NativeLeakClassifier::classify(std::move(leftBehind), suppressions);
    reachabilityKnown = reachable.has_value();
    run.leaks.clear();
    for (LeakRecord& leak : sorted.own) {
        (reachable && reachable->contains(leak.id) ? stillReachable : run.leaks)
            .push_back(std::move(leak));
    }
    runtimeOwned = std::move(sorted.runtimeOwned);
    suppressed = std::move(sorted.suppressed);
    run.undisposedAtEnd = static_cast<std::int64_t>(run.leaks.size());
}

QJsonObject LaunchReport::toJson(const RunOptions& options, const RunNotes& notes) const {
    QJsonObject json = runReportToJson(run, options, notes);

    QJsonObject program;
    program.insert(QStringLiteral("path"), QString::fromStdString(run.scenario));
    QJsonArray argumentList;
    for (const std::string& argument : arguments) {
        argumentList.append(QString::fromStdString(argument));
    }
    program.insert(QStringLiteral("arguments"), argumentList);
    if (exit) {
        program.insert(QStringLiteral("exitStatus"), exit->status());
        program.insert(QStringLiteral("exitCode"), exit->exitCode);
        program.insert(QStringLiteral("signal"), exit->signal);
    }
    program.insert(QStringLiteral("endReason"), QString::fromStdString(endReason));
    QJsonArray images;
    for (const ExecdImage& image : execs) {
        QJsonObject entry;
        entry.insert(QStringLiteral("path"), QString::fromStdString(image.path));
        entry.insert(QStringLiteral("commandLine"), QString::fromStdString(image.commandLine));
        entry.insert(QStringLiteral("followed"), image.followed);
        images.append(entry);
    }
    program.insert(QStringLiteral("execs"), images);
    json.insert(QStringLiteral("program"), program);

    json.insert(QStringLiteral("runtimeOwned"), leaksToJson(runtimeOwned));
    json.insert(QStringLiteral("stillReachable"), leaksToJson(stillReachable));
    json.insert(QStringLiteral("reachabilityKnown"), reachabilityKnown);
    QJsonArray hidden;
    for (const NativeLeaks::Suppressed& entry : suppressed) {
        QJsonObject leak = leakToJson(entry.leak);
        leak.insert(QStringLiteral("suppressedBy"), QString::fromStdString(entry.pattern));
        hidden.append(leak);
    }
    json.insert(QStringLiteral("suppressed"), hidden);

    QJsonArray open;
    for (const OpenResource& resource : resources) {
        QJsonObject entry;
        entry.insert(QStringLiteral("fd"), resource.descriptor.fd);
        entry.insert(QStringLiteral("path"), QString::fromStdString(resource.descriptor.path));
        entry.insert(QStringLiteral("tag"), QString::fromStdString(resource.tag));
        entry.insert(QStringLiteral("id"), static_cast<qint64>(resource.descriptor.allocationId));
        entry.insert(QStringLiteral("stack"), stackToJson(resource.stack));
        entry.insert(QStringLiteral("runtimeOwned"), resource.runtimeOwned);
        open.append(entry);
    }
    QJsonObject section;
    section.insert(QStringLiteral("openDescriptors"), open);
    json.insert(QStringLiteral("resources"), section);
    return json;
}

void LaunchReport::printSummary(std::ostream& out) const {
    out << "PoolScope " << POOLSCOPE_VERSION << ": launched " << run.scenario;
    for (const std::string& argument : arguments) {
        out << ' ' << argument;
    }
    out << '\n';
    for (const ExecdImage& image : execs) {
        out << (image.followed ? "  followed exec: "
                               : "  exec not followed (the interposer is not in it): ")
            << image.path << " (" << image.commandLine << ")\n";
    }
    if (!endReason.empty()) {
        out << "  the program " << endReason << '\n';
    }
    out << "  events: " << run.eventsObserved << ", dropped: " << run.droppedEvents
        << ", duration: "
        << RunSummary::milliseconds(static_cast<std::uint64_t>(run.duration.count())) << '\n';
    out << "  leaks of its own: " << RunSummary::leaksInBrief(run.leaks) << '\n';
    out << "  still reachable at its end (not lost): "
        << (reachabilityKnown ? RunSummary::leaksInBrief(stillReachable)
                              : std::string("not known, so every block left counts as lost"))
        << '\n';
    out << "  kept by the C/C++ runtime (not the program's): "
        << RunSummary::leaksInBrief(runtimeOwned) << '\n';
    if (!suppressed.empty()) {
        std::vector<LeakRecord> hidden;
        for (const NativeLeaks::Suppressed& entry : suppressed) {
            hidden.push_back(entry.leak);
        }
        out << "  suppressed: " << RunSummary::leaksInBrief(hidden) << '\n';
    }
    printStacks(run.leaks, "Leaking stack", out);
    std::size_t ownDescriptors = 0;
    for (const OpenResource& resource : resources) {
        ownDescriptors += resource.runtimeOwned ? 0 : 1;
    }
    if (ownDescriptors > 0) {
        out << "\nDescriptors left open:\n";
        for (const OpenResource& resource : resources) {
            if (resource.runtimeOwned) {
                continue;
            }
            out << "  fd " << resource.descriptor.fd << " ("
                << (resource.descriptor.path.empty() ? resource.tag : resource.descriptor.path)
                << ")";
            if (!resource.stack.empty()) {
                out << " opened at " << resource.stack.front().toString();
            }
            out << '\n';
        }
    }
    if (!run.leaks.empty()) {
        const std::size_t stacks = RunSummary::leakStacks(run.leaks).size();
        out << '\n'
            << stacks << (stacks == 1 ? " leaking stack" : " leaking stacks") << " stand for "
            << run.leaks.size() << (run.leaks.size() == 1 ? " item" : " items") << '\n';
    }
}

}  // namespace poolscope
