#include <QtTest>

#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "RecordingTestSupport.h"
#include "recording/EventBlockCodec.h"
#include "recording/RecordingError.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

const std::string kPath = "/recordings/run.psrec";
constexpr std::int64_t kFirst = 4097;

// Every field at its extremes and at random values in between, every kind and tier number.
std::vector<MemoryEvent> extremeEvents() {
    std::vector<MemoryEvent> events;
    std::mt19937_64 random(20261202);
    const std::int64_t times[] = {0, -1, INT64_MIN, INT64_MAX, 1, INT64_MIN + 1, -5000};
    const std::uint64_t wide[] = {0, 1, UINT64_MAX, UINT64_MAX - 1, 1ull << 63, 127, 128};
    const std::uint32_t narrow[] = {0, 1, UINT32_MAX, 0x80000000u, 300};
    const std::int32_t slotValues[] = {-1, 0, INT32_MIN, INT32_MAX, 17};
    for (int i = 0; i < 3000; ++i) {
        MemoryEvent event;
        const bool extreme = i % 2 == 0;
        const auto pick = [&](const auto& values) { return values[random() % std::size(values)]; };
        event.timeNanoseconds = extreme ? pick(times) : static_cast<std::int64_t>(random());
        event.allocationId = extreme ? pick(wide) : random();
        event.bytes = extreme ? pick(wide) : random() >> (random() % 64);
        event.value = extreme ? pick(wide) : random();
        event.value2 = extreme ? pick(wide) : random();
        event.stackId = extreme ? pick(narrow) : static_cast<StackId>(random());
        event.threadId = extreme ? pick(narrow) : static_cast<std::uint32_t>(random());
        event.slot = extreme ? pick(slotValues) : static_cast<std::int32_t>(random());
        event.chunkIndex = extreme ? pick(narrow) : static_cast<std::uint32_t>(random());
        event.chunkCount = extreme ? pick(narrow) : static_cast<std::uint32_t>(random());
        event.sourceId = static_cast<std::uint16_t>(extreme ? UINT16_MAX * (i % 4 == 0) : random());
        event.kind = static_cast<MemoryEventKind>(i % 256);
        event.tier = static_cast<MemoryTier>((i * 7) % 256);
        events.push_back(event);
    }
    return events;
}

// The message decode gives, or an empty string when the block decodes.
QString decodeError(EventBlockCodec& codec, const std::vector<unsigned char>& data,
                    std::int64_t count, int encoding = EventBlockCodec::kEncoding) {
    try {
        codec.decode(data, count, encoding, kPath, kFirst);
    } catch (const RecordingError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

QString refusal(const std::string& problem) {
    return QString::fromStdString(kPath + " is corrupt: its event block from event " +
                                  std::to_string(kFirst) + " " + problem);
}

void putVarint(std::vector<unsigned char>& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<unsigned char>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<unsigned char>(value));
}

std::vector<unsigned char> compressed(const std::vector<unsigned char>& raw) {
    std::vector<unsigned char> data(ZSTD_compressBound(raw.size()));
    data.resize(ZSTD_compress(data.data(), data.size(), raw.data(), raw.size(), 3));
    return data;
}

// The columns of a block of each encoding, in the order a block stores them.
constexpr std::size_t kColumnsOfEncoding1 = 14;
constexpr std::size_t kColumnsOfEncoding2 = 17;
// Where some fields sit among them.
constexpr std::size_t kKindColumn = 0;
constexpr std::size_t kAllocationColumn = 2;
constexpr std::size_t kStackColumn = 6;
constexpr std::size_t kSlotColumn = 8;
constexpr std::size_t kRepeatColumn = 13;
constexpr std::size_t kReuseColumn = 16;
// A field the event does not store: its column is empty.
constexpr std::uint64_t kAbsent = UINT64_MAX;

// A block of the given columns, each the list of its varints.
std::vector<unsigned char> blockOf(std::size_t events,
                                   const std::vector<std::vector<std::uint64_t>>& columns) {
    std::vector<unsigned char> raw;
    putVarint(raw, events);
    for (const std::vector<std::uint64_t>& values : columns) {
        std::vector<unsigned char> column;
        for (const std::uint64_t value : values) {
            putVarint(column, value);
        }
        putVarint(raw, column.size());
        raw.insert(raw.end(), column.begin(), column.end());
    }
    return compressed(raw);
}

// A block of one event whose columns are as given (14 for encoding 1, 17 for encoding 2), each
// one varint or, for kAbsent, none.
std::vector<unsigned char> oneEventBlock(const std::vector<std::uint64_t>& fields) {
    std::vector<std::vector<std::uint64_t>> columns;
    for (const std::uint64_t field : fields) {
        columns.push_back(field == kAbsent ? std::vector<std::uint64_t>{}
                                           : std::vector<std::uint64_t>{field});
    }
    return blockOf(1, columns);
}

// Allocations and frees of `threads` threads, each freeing one of its live blocks once it has
// sixteen and otherwise making one, which the allocator places at a freed address of its size
// class when `reuse`, at a fresh address otherwise.
std::vector<MemoryEvent> allocatorTraffic(std::size_t count, std::uint32_t threads, bool reuse) {
    std::mt19937_64 random(31);
    std::vector<MemoryEvent> events;
    std::vector<std::vector<MemoryEvent>> live(threads);
    // Per thread, per size class (16 bytes), the addresses freed, last in first out.
    std::vector<std::vector<std::vector<std::uint64_t>>> freed(
        threads, std::vector<std::vector<std::uint64_t>>(32));
    std::uint64_t fresh = 0x5555'0000'0000;
    AllocationId nextId = 1;
    std::int64_t time = 1'000;
    while (events.size() < count) {
        const auto thread = static_cast<std::uint32_t>(random() % threads);
        time += 40;
        if (live[thread].size() >= 16) {
            const std::size_t which = random() % live[thread].size();
            MemoryEvent free = live[thread][which];
            free.kind = MemoryEventKind::UnpooledFree;
            free.timeNanoseconds = time;
            live[thread].erase(live[thread].begin() + static_cast<long>(which));
            freed[thread][(free.bytes + 23) >> 4].push_back(free.value2);
            events.push_back(free);
            continue;
        }
        MemoryEvent made;
        made.kind = MemoryEventKind::UnpooledAllocate;
        made.tier = MemoryTier::Heap;
        made.timeNanoseconds = time;
        made.threadId = 7000 + thread;
        made.allocationId = nextId++;
        // A few sizes, each made at its own call site: the addresses are what varies most.
        made.bytes = 16 * (1 + random() % 4);
        made.stackId = static_cast<StackId>(made.bytes);
        std::vector<std::uint64_t>& same = freed[thread][(made.bytes + 23) >> 4];
        if (reuse && !same.empty()) {
            made.value2 = same.back();
            same.pop_back();
        } else {
            made.value2 = fresh + (random() % 4096) * 16;
            fresh += 1 << 16;
        }
        live[thread].push_back(made);
        events.push_back(made);
    }
    return events;
}

// Encodes and decodes `events`, comparing every field.
void verifyRoundTrip(EventBlockCodec& codec, const std::vector<MemoryEvent>& events) {
    const std::vector<MemoryEvent> decoded =
        codec.decode(codec.encode(events), static_cast<std::int64_t>(events.size()),
                     EventBlockCodec::kEncoding, kPath, kFirst);
    QCOMPARE(decoded.size(), events.size());
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        QVERIFY2(sameEvent(decoded[i], events[i]), qPrintable(QString::number(i)));
    }
}

}  // namespace

class EventBlockCodecTest : public QObject {
    Q_OBJECT

private slots:
    void codec_roundTripsEveryFieldOfEveryEvent_extremesIncluded() {
        const std::vector<MemoryEvent> events = extremeEvents();
        EventBlockCodec codec;
        const std::vector<unsigned char> data = codec.encode(events);
        const std::vector<MemoryEvent> decoded =
            codec.decode(data, static_cast<std::int64_t>(events.size()), EventBlockCodec::kEncoding,
                         kPath, kFirst);
        QCOMPARE(decoded.size(), events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            QVERIFY2(sameEvent(decoded[i], events[i]), qPrintable(QString::number(i)));
        }
        // A second block through the same contexts starts afresh from its own first event.
        const std::vector<MemoryEvent> tail(events.begin() + 1000, events.end());
        const std::vector<MemoryEvent> again =
            codec.decode(codec.encode(tail), static_cast<std::int64_t>(tail.size()),
                         EventBlockCodec::kEncoding, kPath, kFirst);
        QCOMPARE(again.size(), tail.size());
        QVERIFY(sameEvent(again.front(), tail.front()));
        QVERIFY(sameEvent(again.back(), tail.back()));
    }

    void codec_allocationFields_decodeAsEveryFieldDoes_theOthersLeftAtTheirDefaults() {
        EventBlockCodec codec;
        for (const std::vector<MemoryEvent>& events :
             {extremeEvents(), allocatorTraffic(5000, 3, true)}) {
            std::vector<MemoryEvent> decoded;
            codec.decode(codec.encode(events), static_cast<std::int64_t>(events.size()),
                         EventBlockCodec::kEncoding, kPath, kFirst, decoded,
                         EventBlockCodec::Fields::Allocations);
            QCOMPARE(decoded.size(), events.size());
            const MemoryEvent defaults;
            for (std::size_t i = 0; i < events.size(); ++i) {
                const MemoryEvent& got = decoded[i];
                const MemoryEvent& want = events[i];
                QVERIFY2(got.kind == want.kind && got.timeNanoseconds == want.timeNanoseconds &&
                             got.allocationId == want.allocationId && got.bytes == want.bytes &&
                             got.stackId == want.stackId && got.threadId == want.threadId &&
                             got.tier == want.tier,
                         qPrintable(QString::number(i)));
                QVERIFY2(got.value == defaults.value && got.value2 == defaults.value2 &&
                             got.slot == defaults.slot && got.chunkIndex == defaults.chunkIndex &&
                             got.chunkCount == defaults.chunkCount &&
                             got.sourceId == defaults.sourceId,
                         qPrintable(QString::number(i)));
            }
        }
        // A block whose repeat names an event it lacks is refused all the same.
        // A kind that makes no allocation: no made id, address nor reuse.
        std::vector<std::uint64_t> fields(kColumnsOfEncoding2, kAbsent);
        std::fill(fields.begin(), fields.begin() + kColumnsOfEncoding1, 0);
        fields[kKindColumn] = static_cast<std::uint64_t>(MemoryEventKind::Trim);
        fields[kAllocationColumn] = 14;  // allocation 7, zigzagged
        fields[kRepeatColumn] = 1;
        std::vector<MemoryEvent> decoded;
        try {
            codec.decode(oneEventBlock(fields), 1, EventBlockCodec::kEncoding, kPath, kFirst,
                         decoded, EventBlockCodec::Fields::Allocations);
            QFAIL("a repeat of an event the block lacks decoded");
        } catch (const RecordingError& error) {
            QCOMPARE(QString::fromStdString(error.what()),
                     refusal("its repeat column refers to an earlier event of allocation 7 that "
                             "the block does not hold"));
        }
    }

    void codec_typicalAllocatorEvents_takeAFewBytesEach() {
        // Allocations and frees of a program: rising times and ids, sizes and stacks of a few
        // kinds, addresses within a heap, frees a little after their allocation.
        std::mt19937_64 random(7);
        std::vector<MemoryEvent> events;
        std::vector<MemoryEvent> live;
        std::int64_t time = 1'000'000;
        AllocationId nextId = 1;
        while (events.size() < 60000) {
            time += 50 + static_cast<std::int64_t>(random() % 400);
            MemoryEvent event;
            event.timeNanoseconds = time;
            event.threadId = 1000 + static_cast<std::uint32_t>(random() % 4);
            event.tier = MemoryTier::Heap;
            if (live.size() < 50 || random() % 2 == 0) {
                event.kind = MemoryEventKind::UnpooledAllocate;
                event.allocationId = nextId++;
                event.bytes = std::uint64_t{16} << (random() % 8);
                event.stackId = 1 + static_cast<StackId>(random() % 200);
                event.value2 = 0x5555'0000'0000 + (random() % (1 << 20)) * 16;
                live.push_back(event);
            } else {
                const std::size_t which = random() % live.size();
                event = MemoryEvent{live[which]};
                event.kind = MemoryEventKind::UnpooledFree;
                event.timeNanoseconds = time;
                live.erase(live.begin() + static_cast<long>(which));
            }
            events.push_back(event);
        }
        EventBlockCodec codec;
        const std::vector<unsigned char> data = codec.encode(events);
        // The same events as they lie in memory, compressed at the same level: the columns and
        // their deltas are what makes a block small, not zstd alone.
        const auto* bytes = reinterpret_cast<const unsigned char*>(events.data());
        const std::vector<unsigned char> asStructs = compressed(
            std::vector<unsigned char>(bytes, bytes + events.size() * sizeof(MemoryEvent)));
        QVERIFY2(
            data.size() * 5 < asStructs.size() * 4,
            qPrintable(
                QStringLiteral("%1 bytes, the structs %2").arg(data.size()).arg(asStructs.size())));
    }

    void codec_truncatedBlock_isRefusedNamingTheFileAndTheBlock() {
        EventBlockCodec codec;
        const std::vector<unsigned char> data = codec.encode(sampleEvents(500, 0));
        for (const std::size_t length :
             {std::size_t{0}, std::size_t{1}, std::size_t{5}, data.size() / 2, data.size() - 1}) {
            const std::vector<unsigned char> cut(data.begin(),
                                                 data.begin() + static_cast<long>(length));
            const QString error = decodeError(codec, cut, 500);
            QVERIFY2(error.startsWith(refusal("")), qPrintable(error));
        }
    }

    void codec_garbledBytes_areRefusedOrChangeNothing_neverGarbledEvents() {
        const std::vector<MemoryEvent> events = sampleEvents(300, 0);
        EventBlockCodec codec;
        const std::vector<unsigned char> data = codec.encode(events);
        int refused = 0;
        for (std::size_t at = 0; at < data.size(); ++at) {
            std::vector<unsigned char> garbled = data;
            garbled[at] ^= 0x5a;
            try {
                const std::vector<MemoryEvent> decoded =
                    codec.decode(garbled, 300, EventBlockCodec::kEncoding, kPath, kFirst);
                // Some header bits (a larger window) leave the events as they were.
                QCOMPARE(decoded.size(), events.size());
                for (std::size_t i = 0; i < events.size(); ++i) {
                    QVERIFY(sameEvent(decoded[i], events[i]));
                }
            } catch (const RecordingError& error) {
                QVERIFY2(QString::fromStdString(error.what()).startsWith(refusal("")),
                         error.what());
                refused += 1;
            }
        }
        QVERIFY(refused > static_cast<int>(data.size()) * 9 / 10);
    }

    void codec_sizesBeyondWhatTheEventsTake_areRefusedBeforeAllocating() {
        EventBlockCodec codec;
        // A megabyte of zeros claiming to be one event: refused from the frame's header.
        const std::vector<unsigned char> zeros = compressed(std::vector<unsigned char>(1 << 20));
        QCOMPARE(decodeError(codec, zeros, 1),
                 refusal("declares 1048576 bytes, more than 1 events can take"));
        const std::vector<unsigned char> data = codec.encode(sampleEvents(10, 0));
        QCOMPARE(decodeError(codec, data, std::int64_t{1} << 40),
                 refusal("counts 1099511627776 events (a block holds 1 to 1048576)"));
        QCOMPARE(decodeError(codec, data, 0), refusal("counts 0 events (a block holds 1 to "
                                                      "1048576)"));
        QCOMPARE(decodeError(codec, data, -3), refusal("counts -3 events (a block holds 1 to "
                                                       "1048576)"));
    }

    void codec_allocationsAtAddressesTheirThreadJustFreed_takeFarLessThanFreshOnes() {
        const std::vector<MemoryEvent> reused = allocatorTraffic(200'000, 4, true);
        const std::vector<MemoryEvent> fresh = allocatorTraffic(200'000, 4, false);
        EventBlockCodec codec;
        const std::size_t reusedBytes = codec.encode(reused).size();
        const std::size_t freshBytes = codec.encode(fresh).size();
        // A reused address is its rank among a few recent frees; a fresh one, several bytes.
        QVERIFY2(reusedBytes * 3 < freshBytes * 2,
                 qPrintable(
                     QStringLiteral("reused %1 bytes, fresh %2").arg(reusedBytes).arg(freshBytes)));
        verifyRoundTrip(codec, reused);
        verifyRoundTrip(codec, fresh);
    }

    void codec_manyThreadsSharingTheirFreeListsSlots_roundTripExactly() {
        // More thread and size pairs than the lists have slots: a pair whose slot another took
        // starts its list afresh, on both sides alike.
        EventBlockCodec codec;
        verifyRoundTrip(codec, allocatorTraffic(300'000, 3000, true));
    }

    void codec_blocksOfEncodingOne_stillDecodeAsTheyWereWritten() {
        // Encoding 1 numbers every event's allocation id and value2 from the event before,
        // whatever its kind: an allocation of id 5 at 0x1000, its free (repeating its fields,
        // which are left out of their columns), then an allocation of id 9 at 0x1400.
        const auto allocate = static_cast<std::uint64_t>(MemoryEventKind::UnpooledAllocate);
        const auto free = static_cast<std::uint64_t>(MemoryEventKind::UnpooledFree);
        const std::vector<std::uint64_t> zeros(3, 0);
        const std::vector<std::vector<std::uint64_t>> columns{
            {allocate, free, allocate},  // kind
            zeros,                       // time
            {10, 0, 8},                  // allocation id: +5, +0, +4, zigzagged
            {48, 48},                    // bytes
            {0, 0},                      // value
            {0x2000, 0x800},             // value2: +0x1000, +0x400, zigzagged
            {0, 0},                      // stack id
            zeros,                       // thread
            zeros,                       // slot
            zeros,                       // chunk index
            zeros,                       // chunk count
            zeros,                       // source
            zeros,                       // tier
            {0, 1, 0}};                  // repeat
        QCOMPARE(columns.size(), kColumnsOfEncoding1);
        EventBlockCodec codec;
        const std::vector<MemoryEvent> decoded =
            codec.decode(blockOf(3, columns), 3, 1, kPath, kFirst);
        QCOMPARE(decoded.size(), std::size_t{3});
        QCOMPARE(decoded[0].allocationId, AllocationId{5});
        QCOMPARE(decoded[0].value2, std::uint64_t{0x1000});
        QCOMPARE(decoded[1].kind, MemoryEventKind::UnpooledFree);
        QCOMPARE(decoded[1].allocationId, AllocationId{5});
        QCOMPARE(decoded[1].bytes, std::uint64_t{48});
        QCOMPARE(decoded[1].value2, std::uint64_t{0x1000});
        QCOMPARE(decoded[2].allocationId, AllocationId{9});
        QCOMPARE(decoded[2].value2, std::uint64_t{0x1400});
    }

    void codec_columnsThatDisagreeWithTheirEvents_areRefused() {
        EventBlockCodec codec;
        QCOMPARE(decodeError(codec, codec.encode(sampleEvents(2, 0)), 3),
                 refusal("it holds 2 events, its row says 3"));
        QCOMPARE(decodeError(codec, codec.encode(sampleEvents(2, 0)), 2, 7),
                 refusal("has encoding 7, which this PoolScope does not know (it reads encodings "
                         "1 to 2)"));

        for (const int encoding : {1, 2}) {
            std::vector<std::uint64_t> fields(
                encoding == 1 ? kColumnsOfEncoding1 : kColumnsOfEncoding2, kAbsent);
            // A kind that makes no allocation: its id is in the allocation id column in both
            // encodings, and it has no made id, address nor reuse.
            std::fill(fields.begin(), fields.begin() + kColumnsOfEncoding1, 0);
            fields[kKindColumn] = static_cast<std::uint64_t>(MemoryEventKind::Trim);
            QCOMPARE(decodeError(codec, oneEventBlock(fields), 1, encoding), QString());
            fields[kStackColumn] = std::uint64_t{1} << 33;
            QCOMPARE(decodeError(codec, oneEventBlock(fields), 1, encoding),
                     refusal("its stack id column holds 8589934592, more than the field holds "
                             "(4294967295)"));
            fields[kStackColumn] = 0;
            fields[kSlotColumn] = std::uint64_t{1} << 40;  // zigzagged
            QCOMPARE(decodeError(codec, oneEventBlock(fields), 1, encoding),
                     refusal("its slot column holds 549755813888, outside a slot's range"));
            fields[kSlotColumn] = 0;
            fields[kAllocationColumn] = 14;  // allocation 7, zigzagged
            fields[kRepeatColumn] = 1;       // the same as its event before, which the block lacks
            QCOMPARE(decodeError(codec, oneEventBlock(fields), 1, encoding),
                     refusal("its repeat column refers to an earlier event of allocation 7 that "
                             "the block does not hold"));
        }
        // An allocation at the third address its thread freed of its size, in a block
        // holding no free.
        std::vector<std::uint64_t> fields(kColumnsOfEncoding2, 0);
        fields[kKindColumn] = static_cast<std::uint64_t>(MemoryEventKind::UnpooledAllocate);
        fields[kAllocationColumn] = kAbsent;
        fields[kReuseColumn] = 3;
        fields[15] = kAbsent;  // no address: it is the reused one
        QCOMPARE(decodeError(codec, oneEventBlock(fields), 1),
                 refusal("its reuse column names the address freed 3 frees of its size back by "
                         "thread 0, which the block does not hold"));

        std::vector<unsigned char> raw;
        putVarint(raw, 1);
        putVarint(raw, 200);  // the kind column claims more than the block holds
        raw.push_back(0);
        QCOMPARE(decodeError(codec, compressed(raw), 1),
                 refusal("its kind column of 200 bytes runs past the block's end"));
        raw = {1, 1, 0x80};  // the count, then a kind column whose varint never ends
        for (std::size_t column = 1; column < kColumnsOfEncoding2; ++column) {
            raw.insert(raw.end(), {1, 0});
        }
        QCOMPARE(decodeError(codec, compressed(raw), 1), refusal("its kind column ends early"));
        std::vector<unsigned char> data =
            oneEventBlock(std::vector<std::uint64_t>(kColumnsOfEncoding1, 0));
        data.push_back(0);
        QCOMPARE(decodeError(codec, data, 1), refusal("holds 1 bytes after its compressed events"));
    }
};

QTEST_GUILESS_MAIN(EventBlockCodecTest)
#include "EventBlockCodecTest.moc"
