#include "AnalysisReportJson.h"

#include <QJsonArray>
#include <QString>

#include <algorithm>

#include "analysis/CallTree.h"
#include "analysis/PeakConsumers.h"

namespace poolscope {

namespace {

QJsonValue count(std::uint64_t value) {
    return static_cast<qint64>(value);
}

double millisecondsSince(std::int64_t origin, std::int64_t nanoseconds) {
    return static_cast<double>(nanoseconds - origin) / 1'000'000.0;
}

QJsonArray stackOf(StackNames& names, StackId stackId) {
    QJsonArray stack;
    for (const Frame& frame : names.frames(stackId)) {
        stack.append(QString::fromStdString(frame.toString()));
    }
    return stack;
}

// The sites with something to show, most first by `measure`, at most kAnalysisEntriesListed.
template <typename Measure>
std::vector<CallSiteCost> ranked(const std::vector<CallSiteCost>& sites, Measure measure) {
    std::vector<CallSiteCost> listed;
    std::copy_if(sites.begin(), sites.end(), std::back_inserter(listed),
                 [&](const CallSiteCost& site) { return measure(site) > 0; });
    std::stable_sort(
        listed.begin(), listed.end(),
        [&](const CallSiteCost& a, const CallSiteCost& b) { return measure(a) > measure(b); });
    if (listed.size() > static_cast<std::size_t>(kAnalysisEntriesListed)) {
        listed.resize(kAnalysisEntriesListed);
    }
    return listed;
}

void insertCosts(QJsonObject& object, const CallSiteCost& cost) {
    object.insert(QStringLiteral("allocations"), count(cost.allocations));
    object.insert(QStringLiteral("bytes"), count(cost.bytes));
    object.insert(QStringLiteral("temporaryAllocations"), count(cost.temporaryAllocations));
    object.insert(QStringLiteral("leakedAllocations"), count(cost.leakedAllocations));
    object.insert(QStringLiteral("leakedBytes"), count(cost.leakedBytes));
    object.insert(QStringLiteral("peakBytes"), count(cost.peakBytes));
}

QJsonObject treeToJson(const CallTree& tree) {
    QJsonObject node;
    node.insert(QStringLiteral("frame"), QString::fromStdString(tree.frame));
    insertCosts(node, tree.cost);
    QJsonArray children;
    const std::size_t listed =
        std::min(tree.children.size(), static_cast<std::size_t>(kAnalysisEntriesListed));
    for (std::size_t i = 0; i < listed; ++i) {
        children.append(treeToJson(tree.children[i]));
    }
    node.insert(QStringLiteral("children"), children);
    node.insert(QStringLiteral("childrenNotListed"),
                static_cast<qint64>(tree.children.size() - listed));
    return node;
}

QJsonObject peakConsumersToJson(const AllocationAnalysis& analysis, StackNames& names) {
    const PeakConsumers consumers = PeakConsumers::of(analysis, names);
    QJsonArray stacks;
    for (const PeakConsumers::Stack& stack : consumers.stacks) {
        if (stacks.size() == kAnalysisEntriesListed) {
            break;
        }
        QJsonObject entry;
        entry.insert(QStringLiteral("stackId"), static_cast<qint64>(stack.stackId));
        entry.insert(QStringLiteral("bytes"), count(stack.bytes));
        entry.insert(QStringLiteral("allocations"), count(stack.allocations));
        entry.insert(QStringLiteral("stack"), stackOf(names, stack.stackId));
        stacks.append(entry);
    }
    QJsonArray frames;
    for (const PeakConsumers::Site& site : consumers.frames) {
        if (frames.size() == kAnalysisEntriesListed) {
            break;
        }
        QJsonObject entry;
        entry.insert(QStringLiteral("frame"), QString::fromStdString(site.frame));
        entry.insert(QStringLiteral("bytes"), count(site.bytes));
        entry.insert(QStringLiteral("allocations"), count(site.allocations));
        frames.append(entry);
    }
    QJsonObject section;
    section.insert(QStringLiteral("peakBytes"), count(consumers.peakBytes));
    section.insert(QStringLiteral("peakTimeMs"),
                   consumers.peakBytes == 0
                       ? QJsonValue(QJsonValue::Null)
                       : QJsonValue(millisecondsSince(analysis.firstEventNanoseconds,
                                                      consumers.peakNanoseconds)));
    section.insert(QStringLiteral("stackCount"), static_cast<qint64>(consumers.stacks.size()));
    section.insert(QStringLiteral("stacks"), stacks);
    section.insert(QStringLiteral("frameCount"), static_cast<qint64>(consumers.frames.size()));
    section.insert(QStringLiteral("frames"), frames);
    return section;
}

QJsonObject temporaryAllocationsToJson(const AllocationAnalysis& analysis, StackNames& names) {
    const CallSiteCost total = analysis.total();
    QJsonArray sites;
    for (const CallSiteCost& site :
         ranked(analysis.sites, [](const CallSiteCost& s) { return s.temporaryAllocations; })) {
        QJsonObject entry;
        entry.insert(QStringLiteral("stackId"), static_cast<qint64>(site.stackId));
        entry.insert(QStringLiteral("temporaryAllocations"), count(site.temporaryAllocations));
        entry.insert(QStringLiteral("temporaryBytes"), count(site.temporaryBytes));
        entry.insert(QStringLiteral("allocations"), count(site.allocations));
        entry.insert(QStringLiteral("stack"), stackOf(names, site.stackId));
        sites.append(entry);
    }
    QJsonObject section;
    section.insert(QStringLiteral("temporaryAllocations"), count(total.temporaryAllocations));
    section.insert(QStringLiteral("temporaryBytes"), count(total.temporaryBytes));
    section.insert(QStringLiteral("allocations"), count(total.allocations));
    section.insert(QStringLiteral("sites"), sites);
    return section;
}

QJsonObject callSitesToJson(const AllocationAnalysis& analysis, StackNames& names) {
    QJsonArray sites;
    for (const CallSiteCost& site :
         ranked(analysis.sites, [](const CallSiteCost& s) { return s.allocations; })) {
        QJsonObject entry;
        entry.insert(QStringLiteral("stackId"), static_cast<qint64>(site.stackId));
        insertCosts(entry, site);
        entry.insert(QStringLiteral("stack"), stackOf(names, site.stackId));
        sites.append(entry);
    }
    QJsonObject section;
    insertCosts(section, analysis.total());
    section.insert(QStringLiteral("siteCount"), static_cast<qint64>(analysis.sites.size()));
    section.insert(QStringLiteral("sites"), sites);
    section.insert(QStringLiteral("bottomUp"), treeToJson(CallTree::bottomUp(analysis, names)));
    section.insert(QStringLiteral("topDown"), treeToJson(CallTree::topDown(analysis, names)));
    return section;
}

QJsonObject sizeHistogramToJson(const AllocationAnalysis& analysis) {
    QJsonArray thresholds;
    for (const SizeHistogram::Threshold& threshold : analysis.thresholds) {
        QJsonObject entry;
        entry.insert(QStringLiteral("name"), QString::fromStdString(threshold.name));
        entry.insert(QStringLiteral("bytes"), count(threshold.bytes));
        thresholds.append(entry);
    }
    QJsonArray buckets;
    for (const SizeHistogram::Bucket& bucket : analysis.sizes.buckets()) {
        QJsonObject entry;
        entry.insert(QStringLiteral("fromBytes"), count(bucket.fromBytes));
        entry.insert(QStringLiteral("toBytes"), count(bucket.toBytes));
        entry.insert(QStringLiteral("requests"), count(bucket.requests));
        entry.insert(QStringLiteral("bytes"), count(bucket.bytes));
        buckets.append(entry);
    }
    QJsonObject section;
    section.insert(QStringLiteral("requests"), count(analysis.sizes.requests()));
    section.insert(QStringLiteral("thresholds"), thresholds);
    section.insert(QStringLiteral("buckets"), buckets);
    return section;
}

QJsonValue rangeToJson(const AllocationAnalysis& analysis) {
    const AnalysisRange whole;
    if (analysis.range.fromNanoseconds == whole.fromNanoseconds &&
        analysis.range.toNanoseconds == whole.toNanoseconds) {
        return QJsonValue(QJsonValue::Null);
    }
    const auto bound = [&](std::int64_t nanoseconds, std::int64_t unbounded) {
        return nanoseconds == unbounded
                   ? QJsonValue(QJsonValue::Null)
                   : QJsonValue(millisecondsSince(analysis.firstEventNanoseconds, nanoseconds));
    };
    QJsonObject range;
    range.insert(QStringLiteral("fromMs"),
                 bound(analysis.range.fromNanoseconds, whole.fromNanoseconds));
    range.insert(QStringLiteral("toMs"), bound(analysis.range.toNanoseconds, whole.toNanoseconds));
    return range;
}

}  // namespace

QJsonObject analysisReportToJson(const AllocationAnalysis& analysis, StackNames& names) {
    QJsonObject sections;
    sections.insert(QStringLiteral("analysisRange"), rangeToJson(analysis));
    sections.insert(QStringLiteral("peakConsumers"), peakConsumersToJson(analysis, names));
    sections.insert(QStringLiteral("temporaryAllocations"),
                    temporaryAllocationsToJson(analysis, names));
    sections.insert(QStringLiteral("callSites"), callSitesToJson(analysis, names));
    sections.insert(QStringLiteral("sizeHistogram"), sizeHistogramToJson(analysis));
    return sections;
}

}  // namespace poolscope
