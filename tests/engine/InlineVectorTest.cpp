#include <QtTest>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "memory/InlineVector.h"

using poolscope::InlineVector;

namespace {

struct Item {
    std::int64_t value = 0;
    std::int32_t tag = 0;
};

std::vector<std::int64_t> valuesOf(const InlineVector<Item, 1>& items) {
    std::vector<std::int64_t> values;
    for (const Item& item : items) {
        values.push_back(item.value);
    }
    return values;
}

}  // namespace

class InlineVectorTest : public QObject {
    Q_OBJECT

private slots:
    void inlineVector_oneItem_staysInsideTheVector();
    void inlineVector_beyondInlineCapacity_keepsEveryItemInOrder();
    void inlineVector_move_takesItemsAndEmptiesTheSource_data();
    void inlineVector_move_takesItemsAndEmptiesTheSource();
    void inlineVector_fromSpan_copiesTheItems();
    void inlineVector_clear_keepsCapacityForReuse();
};

void InlineVectorTest::inlineVector_oneItem_staysInsideTheVector() {
    const InlineVector<Item, 1> items{{7, 1}};
    QCOMPARE(items.size(), std::size_t{1});
    QCOMPARE(items[0].value, 7);
    const auto* self = reinterpret_cast<const std::byte*>(&items);
    const auto* data = reinterpret_cast<const std::byte*>(items.data());
    QVERIFY(data >= self && data < self + sizeof(items));
}

void InlineVectorTest::inlineVector_beyondInlineCapacity_keepsEveryItemInOrder() {
    InlineVector<Item, 1> items;
    std::vector<std::int64_t> expected;
    for (std::int64_t i = 0; i < 9; ++i) {
        items.push_back({i * 10, 0});
        expected.push_back(i * 10);
    }
    QCOMPARE(valuesOf(items), expected);
    const auto* self = reinterpret_cast<const std::byte*>(&items);
    const auto* data = reinterpret_cast<const std::byte*>(items.data());
    QVERIFY(data < self || data >= self + sizeof(items));
}

void InlineVectorTest::inlineVector_move_takesItemsAndEmptiesTheSource_data() {
    QTest::addColumn<int>("count");
    QTest::newRow("inline") << 1;
    QTest::newRow("on the heap") << 5;
}

void InlineVectorTest::inlineVector_move_takesItemsAndEmptiesTheSource() {
    QFETCH(int, count);
    InlineVector<Item, 1> source;
    std::vector<std::int64_t> expected;
    for (int i = 0; i < count; ++i) {
        source.push_back({i + 1, 0});
        expected.push_back(i + 1);
    }
    InlineVector<Item, 1> constructed(std::move(source));
    QVERIFY(source.empty());
    QCOMPARE(valuesOf(constructed), expected);

    InlineVector<Item, 1> assigned{{99, 0}, {98, 0}, {97, 0}};
    assigned = std::move(constructed);
    QVERIFY(constructed.empty());
    QCOMPARE(valuesOf(assigned), expected);

    source.push_back({42, 0});
    QCOMPARE(valuesOf(source), std::vector<std::int64_t>{42});
}

void InlineVectorTest::inlineVector_fromSpan_copiesTheItems() {
    const std::vector<Item> original{{1, 0}, {2, 0}, {3, 0}};
    const InlineVector<Item, 1> copy{std::span<const Item>(original)};
    QCOMPARE(valuesOf(copy), (std::vector<std::int64_t>{1, 2, 3}));
    const std::span<const Item> view = copy;
    QCOMPARE(view.size(), std::size_t{3});
    QVERIFY(view.data() != original.data());
}

void InlineVectorTest::inlineVector_clear_keepsCapacityForReuse() {
    InlineVector<Item, 1> items{{1, 0}, {2, 0}, {3, 0}};
    const Item* heap = items.data();
    items.clear();
    QVERIFY(items.empty());
    items.push_back({4, 0});
    items.push_back({5, 0});
    QCOMPARE(items.data(), heap);
    QCOMPARE(valuesOf(items), (std::vector<std::int64_t>{4, 5}));
}

QTEST_GUILESS_MAIN(InlineVectorTest)
#include "InlineVectorTest.moc"
