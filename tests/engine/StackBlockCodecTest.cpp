#include <QtTest>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "recording/RecordingError.h"
#include "recording/StackBlockCodec.h"

using namespace poolscope;

namespace {

const std::string kPath = "/recordings/run.psrec";

LocatedFrame frameAt(std::uint64_t address, int module = -1, std::uint64_t base = 0) {
    LocatedFrame frame;
    frame.address = address;
    if (module >= 0) {
        frame.location = ModuleLocation{static_cast<std::uint32_t>(module), address - base};
    }
    return frame;
}

bool same(const std::vector<LocatedFrame>& a, const std::vector<LocatedFrame>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].address != b[i].address ||
            a[i].location.has_value() != b[i].location.has_value()) {
            return false;
        }
        if (a[i].location && (a[i].location->module != b[i].location->module ||
                              a[i].location->offset != b[i].location->offset)) {
            return false;
        }
    }
    return true;
}

// Stacks as a program makes them: a few entry paths shared by many, calls into two modules and
// addresses outside every module, recursion (an address twice in a stack), one stack a prefix
// of another seen from the outside, and addresses at the ends of the 64-bit range.
std::map<StackId, std::vector<LocatedFrame>> programStacks() {
    std::mt19937_64 random(20261202);
    const std::uint64_t program = 0x55d4c0000000;
    const std::uint64_t library = 0x7f3a12000000;
    std::vector<LocatedFrame> pool;
    for (int i = 0; i < 40; ++i) {
        pool.push_back(frameAt(program + 0x1000 + random() % 0x40000, 0, program));
        pool.push_back(frameAt(library + 0x2000 + random() % 0x90000, 3, library));
    }
    pool.push_back(frameAt(0x1234));
    pool.push_back(frameAt(UINT64_MAX, 7, UINT64_MAX - 5));
    pool.push_back(frameAt(0, 1, 0));
    std::map<StackId, std::vector<LocatedFrame>> stacks;
    const std::vector<LocatedFrame> entry = {pool[0], pool[2], pool[4]};  // main and its callers
    for (StackId id = 1; id <= 300; ++id) {
        std::vector<LocatedFrame> frames;
        const std::size_t depth = 1 + random() % 12;
        for (std::size_t d = 0; d < depth; ++d) {
            frames.push_back(pool[random() % pool.size()]);
        }
        if (id % 5 == 0) {
            frames.push_back(frames.front());  // recursion
        }
        frames.insert(frames.end(), entry.rbegin(), entry.rend());
        stacks[id * 7 + (id % 3 == 0 ? 100000 : 0)] = frames;
    }
    stacks[UINT32_MAX] = {entry.rbegin(), entry.rend()};  // a path other stacks run through
    stacks[5] = {};                                       // no frame captured
    return stacks;
}

std::vector<std::vector<unsigned char>> encodeInBlocks(
    const std::map<StackId, std::vector<LocatedFrame>>& stacks, std::size_t perBlock,
    std::vector<std::int64_t>& counts) {
    StackBlockCodec writer;
    std::vector<std::vector<unsigned char>> blocks;
    for (const auto& [id, frames] : stacks) {
        writer.add(id, frames);
        if (writer.pendingStacks() == perBlock) {
            counts.push_back(static_cast<std::int64_t>(writer.pendingStacks()));
            blocks.push_back(writer.encode());
            writer.commit();
        }
    }
    if (writer.pendingStacks() > 0) {
        counts.push_back(static_cast<std::int64_t>(writer.pendingStacks()));
        blocks.push_back(writer.encode());
        writer.commit();
    }
    return blocks;
}

QString decodeError(StackBlockCodec& reader, const std::vector<unsigned char>& data,
                    std::int64_t count, std::int64_t block = 1) {
    try {
        reader.decode(data, count, StackBlockCodec::kEncoding, kPath, block);
    } catch (const RecordingError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

}  // namespace

class StackBlockCodecTest : public QObject {
    Q_OBJECT

private slots:
    void stacksWrittenInBlocks_readBackFrameForFrame() {
        const auto stacks = programStacks();
        for (const std::size_t perBlock : {std::size_t{1}, std::size_t{17}, stacks.size()}) {
            std::vector<std::int64_t> counts;
            const auto blocks = encodeInBlocks(stacks, perBlock, counts);
            StackBlockCodec reader;
            for (std::size_t b = 0; b < blocks.size(); ++b) {
                const QString error =
                    decodeError(reader, blocks[b], counts[b], static_cast<std::int64_t>(b + 1));
                QVERIFY2(error.isEmpty(), qPrintable(error));
            }
            std::vector<StackId> ids;
            for (const auto& [id, frames] : stacks) {
                ids.push_back(id);
                QVERIFY2(same(reader.stack(id), frames), qPrintable(QString::number(id)));
            }
            QCOMPARE(reader.stackIds(), ids);
            QVERIFY(reader.stack(6).empty());  // never named
        }
    }

    void stacksSharingTheirOuterFrames_takeFewBytesEach() {
        // 2000 stacks of depth 30 that share all but their innermost frames: a row a frame
        // would take 60,000 rows; the tree stores each shared frame once.
        StackBlockCodec writer;
        std::vector<LocatedFrame> outer;
        for (int d = 0; d < 28; ++d) {
            outer.push_back(frameAt(0x400000 + 0x40 * static_cast<std::uint64_t>(d), 0, 0x400000));
        }
        for (StackId id = 1; id <= 2000; ++id) {
            std::vector<LocatedFrame> frames = {
                frameAt(0x7f0000001000 + id * 16, 2, 0x7f0000000000),
                frameAt(0x400800 + (id % 10) * 8, 0, 0x400000)};
            frames.insert(frames.end(), outer.begin(), outer.end());
            writer.add(id, frames);
        }
        const std::vector<unsigned char> block = writer.encode();
        QVERIFY2(block.size() < 2000 * 4, qPrintable(QString::number(block.size())));
    }

    void discardedStacks_areNamedAgainInTheNextBlock() {
        // A transaction that rolled back took its stacks with it: the next block must hold
        // them, or its events would name stacks the file lacks.
        const auto stacks = programStacks();
        StackBlockCodec writer;
        auto it = stacks.begin();
        for (int i = 0; i < 10; ++i, ++it) {
            writer.add(it->first, it->second);
        }
        const std::vector<unsigned char> first = writer.encode();
        writer.commit();
        for (int i = 0; i < 10; ++i, ++it) {
            writer.add(it->first, it->second);
        }
        writer.discard();
        QCOMPARE(writer.pendingStacks(), std::size_t{0});
        it = std::next(stacks.begin(), 10);
        for (int i = 0; i < 20; ++i, ++it) {
            QVERIFY(!writer.contains(it->first));
            writer.add(it->first, it->second);
        }
        const std::vector<unsigned char> second = writer.encode();

        StackBlockCodec reader;
        QCOMPARE(decodeError(reader, first, 10, 1), QString());
        QCOMPARE(decodeError(reader, second, 20, 2), QString());
        it = stacks.begin();
        for (int i = 0; i < 30; ++i, ++it) {
            QVERIFY(same(reader.stack(it->first), it->second));
        }
    }

    void aBlockReadWithoutTheBlocksBeforeIt_isRefused() {
        const auto stacks = programStacks();
        std::vector<std::int64_t> counts;
        const auto blocks = encodeInBlocks(stacks, 50, counts);
        QVERIFY(blocks.size() > 2);
        StackBlockCodec reader;
        const QString error = decodeError(reader, blocks[1], counts[1], 2);
        QVERIFY2(
            error.startsWith(QString::fromStdString(kPath + " is corrupt: its stack block 2 ")),
            qPrintable(error));
        QVERIFY(reader.stackIds().empty());
    }

    void damagedBlocks_areRefusedNamingTheFileAndTheBlock() {
        const auto stacks = programStacks();
        std::vector<std::int64_t> counts;
        const auto blocks = encodeInBlocks(stacks, stacks.size(), counts);
        const std::vector<unsigned char>& whole = blocks.front();
        const QString prefix = QString::fromStdString(kPath + " is corrupt: its stack block 1 ");
        // Every byte garbled in turn (zstd's checksum or its frame), and the block cut short.
        for (std::size_t at = 0; at < whole.size(); ++at) {
            std::vector<unsigned char> garbled = whole;
            garbled[at] ^= 0x5a;
            StackBlockCodec reader;
            const QString error = decodeError(reader, garbled, counts.front());
            QVERIFY2(error.startsWith(prefix), qPrintable(QString::number(at) + ": " + error));
            QVERIFY(reader.stackIds().empty());
        }
        for (const std::size_t size : {std::size_t{0}, std::size_t{5}, whole.size() - 1}) {
            StackBlockCodec reader;
            const QString error =
                decodeError(reader, std::vector<unsigned char>(whole.begin(), whole.begin() + size),
                            counts.front());
            QVERIFY2(error.startsWith(prefix), qPrintable(error));
        }
        StackBlockCodec reader;
        QVERIFY(decodeError(reader, whole, counts.front() + 1).startsWith(prefix));
        QVERIFY(decodeError(reader, whole, counts.front(), 1).isEmpty());
        // Read twice, its stacks would be named twice.
        QVERIFY(decodeError(reader, whole, counts.front(), 2)
                    .startsWith(QString::fromStdString(kPath + " is corrupt: its stack block 2 ")));
    }

    void anUnknownEncoding_isRefusedNamingIt() {
        StackBlockCodec writer;
        writer.add(1, {frameAt(0x1000)});
        StackBlockCodec reader;
        try {
            reader.decode(writer.encode(), 1, StackBlockCodec::kEncoding + 1, kPath, 1);
            QFAIL("decoded a block of an unknown encoding");
        } catch (const RecordingError& error) {
            QCOMPARE(QString::fromStdString(error.what()),
                     QString::fromStdString(kPath + " is corrupt: its stack block 1 has encoding " +
                                            std::to_string(StackBlockCodec::kEncoding + 1) +
                                            ", which this PoolScope does not know (it reads "
                                            "encoding " +
                                            std::to_string(StackBlockCodec::kEncoding) + ")"));
        }
    }
};

QTEST_GUILESS_MAIN(StackBlockCodecTest)
#include "StackBlockCodecTest.moc"
