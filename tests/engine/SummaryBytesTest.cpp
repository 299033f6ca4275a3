// SummaryBytes::Reader, which reads what a recording stores of its analyses: every number reads
// back as written whatever its length and wherever it lies (away from the end, where a number
// is read without a check a byte, or near it, where each byte is checked); a column of numbers
// ends exactly after its last; and damage (a number cut short, one over 64 bits, a column
// running past the bytes) is refused with the problem named, never read past.

#include <QtTest>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "analysis/SummaryBytes.h"
#include "recording/RecordingError.h"

using namespace poolscope;

namespace {

const std::string kPath = "test.psrec";

// Numbers of every length from one byte to ten, and the edges between lengths.
std::vector<std::uint64_t> numbersOfEveryLength() {
    std::vector<std::uint64_t> numbers{0, 1, 0x7f, std::numeric_limits<std::uint64_t>::max()};
    for (int bits = 7; bits < 64; bits += 7) {
        numbers.push_back((std::uint64_t{1} << bits) - 1);
        numbers.push_back(std::uint64_t{1} << bits);
        numbers.push_back((std::uint64_t{1} << bits) + 1);
    }
    numbers.push_back(std::uint64_t{1} << 63);
    return numbers;
}

QString refusal(const std::vector<unsigned char>& bytes, std::size_t values) {
    try {
        SummaryBytes::Reader in(bytes, kPath, SummaryBytes::kSummary);
        for (std::size_t i = 0; i < values; ++i) {
            in.unsignedValue();
        }
    } catch (const RecordingError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

}  // namespace

class SummaryBytesTest : public QObject {
    Q_OBJECT

private slots:
    void numbersOfEveryLength_readBackAwayFromTheEndAndAtIt() {
        const std::vector<std::uint64_t> numbers = numbersOfEveryLength();
        SummaryBytes::Writer out;
        for (const std::uint64_t number : numbers) {
            out.unsignedValue(number);
            out.signedValue(-static_cast<std::int64_t>(number >> 1));
        }
        // The same numbers once more, each alone at the end of its bytes.
        for (const std::uint64_t number : numbers) {
            SummaryBytes::Writer alone;
            alone.unsignedValue(number);
            SummaryBytes::Reader in(alone.bytes, kPath, SummaryBytes::kSummary);
            QCOMPARE(in.unsignedValue(), number);
            QVERIFY(in.atEnd());
        }
        SummaryBytes::Reader in(out.bytes, kPath, SummaryBytes::kSummary);
        for (const std::uint64_t number : numbers) {
            QCOMPARE(in.unsignedValue(), number);
            QCOMPARE(in.signedValue(), -static_cast<std::int64_t>(number >> 1));
        }
        QVERIFY(in.atEnd());
    }

    void aNumberCutShort_isRefusedAsEndingInsideIt() {
        SummaryBytes::Writer out;
        out.unsignedValue(std::uint64_t{1} << 40);
        out.bytes.pop_back();
        QVERIFY(refusal(out.bytes, 1).contains("it ends inside a number"));
        QVERIFY(refusal(out.bytes, 1).contains(QString::fromStdString(kPath)));
    }

    void aNumberOverSixtyFourBits_isRefusedAwayFromTheEndAndAtIt() {
        // Ten bytes whose last holds more than the 64th bit, then eleven bytes: neither fits.
        std::vector<unsigned char> tenBytes(9, 0xff);
        tenBytes.push_back(0x02);
        std::vector<unsigned char> elevenBytes(10, 0x80);
        elevenBytes.push_back(0x01);
        for (const std::vector<unsigned char>& number : {tenBytes, elevenBytes}) {
            QVERIFY(refusal(number, 1).contains("a number is larger than 64 bits"));
            std::vector<unsigned char> followed = number;
            followed.insert(followed.end(), 16, 0x00);  // far from the end
            QVERIFY(refusal(followed, 1).contains("a number is larger than 64 bits"));
        }
    }

    void aColumn_endsAfterItsLastNumberWhateverTheLengths() {
        std::mt19937_64 random(7);
        for (const std::size_t values : {0u, 1u, 7u, 8u, 9u, 63u, 1000u, 4099u}) {
            SummaryBytes::Writer out;
            std::vector<std::uint64_t> column;
            for (std::size_t i = 0; i < values; ++i) {
                // Lengths from one byte to ten, so that a word of eight bytes holds anything
                // from no end of a number to eight.
                column.push_back(random() >> (random() % 64));
                out.unsignedValue(column.back());
            }
            out.unsignedValue(424242);  // what follows the column
            SummaryBytes::Reader in(out.bytes, kPath, SummaryBytes::kSummary);
            SummaryBytes::Reader numbers = in.column(values);
            for (const std::uint64_t number : column) {
                QCOMPARE(numbers.unsignedValue(), number);
            }
            QVERIFY(numbers.atEnd());
            QCOMPARE(in.unsignedValue(), std::uint64_t{424242});
            QVERIFY(in.atEnd());
        }
    }

    void aColumnClaimingMoreNumbersThanItsBytesHold_isRefused() {
        SummaryBytes::Writer out;
        for (int i = 0; i < 20; ++i) {
            out.unsignedValue(300);
        }
        SummaryBytes::Reader in(out.bytes, kPath, SummaryBytes::kSummary);
        try {
            in.column(21);
            QFAIL("a column of 21 numbers was read from 20");
        } catch (const RecordingError& error) {
            QVERIFY(QString::fromStdString(error.what()).contains("it ends inside a column"));
        }
    }
};

QTEST_APPLESS_MAIN(SummaryBytesTest)
#include "SummaryBytesTest.moc"
