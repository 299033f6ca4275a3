#include <QtTest>

#include <zstd.h>

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

// A block of one event whose columns are as given: 14 of them, each one varint.
std::vector<unsigned char> oneEventBlock(const std::vector<std::uint64_t>& fields) {
    std::vector<unsigned char> raw;
    putVarint(raw, 1);
    for (const std::uint64_t field : fields) {
        std::vector<unsigned char> column;
        putVarint(column, field);
        putVarint(raw, column.size());
        raw.insert(raw.end(), column.begin(), column.end());
    }
    return compressed(raw);
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

    void codec_columnsThatDisagreeWithTheirEvents_areRefused() {
        EventBlockCodec codec;
        QCOMPARE(decodeError(codec, codec.encode(sampleEvents(2, 0)), 3),
                 refusal("it holds 2 events, its row says 3"));
        QCOMPARE(decodeError(codec, codec.encode(sampleEvents(2, 0)), 2, 7),
                 refusal("has encoding 7, which this PoolScope does not know (it reads encoding "
                         "1)"));

        std::vector<std::uint64_t> fields(14, 0);
        QCOMPARE(decodeError(codec, oneEventBlock(fields), 1), QString());
        fields[6] = std::uint64_t{1} << 33;  // the stack id
        QCOMPARE(decodeError(codec, oneEventBlock(fields), 1),
                 refusal("its stack id column holds 8589934592, more than the field holds "
                         "(4294967295)"));
        fields[6] = 0;
        fields[8] = std::uint64_t{1} << 40;  // the slot, zigzagged
        QCOMPARE(decodeError(codec, oneEventBlock(fields), 1),
                 refusal("its slot column holds 549755813888, outside a slot's range"));
        fields[8] = 0;
        fields[2] = 14;  // allocation 7, zigzagged
        fields[13] = 1;  // the same as its event before, which the block does not hold
        QCOMPARE(decodeError(codec, oneEventBlock(fields), 1),
                 refusal("its repeat column refers to an earlier event of allocation 7 that the "
                         "block does not hold"));

        std::vector<unsigned char> raw;
        putVarint(raw, 1);
        putVarint(raw, 200);  // the kind column claims more than the block holds
        raw.push_back(0);
        QCOMPARE(decodeError(codec, compressed(raw), 1),
                 refusal("its kind column of 200 bytes runs past the block's end"));
        raw = {1, 1, 0x80};  // the count, then a kind column whose varint never ends
        for (int column = 1; column < 14; ++column) {
            raw.insert(raw.end(), {1, 0});
        }
        QCOMPARE(decodeError(codec, compressed(raw), 1), refusal("its kind column ends early"));
        std::vector<unsigned char> data = oneEventBlock(std::vector<std::uint64_t>(14, 0));
        data.push_back(0);
        QCOMPARE(decodeError(codec, data, 1), refusal("holds 1 bytes after its compressed events"));
    }
};

QTEST_GUILESS_MAIN(EventBlockCodecTest)
#include "EventBlockCodecTest.moc"
