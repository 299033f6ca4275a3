// The one pixel type table serves events (by id), views (by name), the command line (by
// option name) and the layout calculator (by size).

#include <QtTest>

#include <string>

#include "imaging/PixelTypeId.h"
#include "imaging/PixelTypeList.h"

using namespace poolscope;

class PixelTypeTableTest : public QObject {
    Q_OBJECT

private slots:
    void pixelTypes_haveTheirSizes() {
        QCOMPARE(findPixelType("RGBA32")->bytesPerPixel(), 4);
        QCOMPARE(findPixelType("bgra32")->bytesPerPixel(), 4);
        QCOMPARE(findPixelType("rgb24")->bytesPerPixel(), 3);
        QCOMPARE(findPixelType("l8")->bytesPerPixel(), 1);
        QCOMPARE(findPixelType("l16")->bytesPerPixel(), 2);
        QCOMPARE(findPixelType("rgbavector")->bytesPerPixel(), 16);
        QVERIFY(findPixelType("cmyk") == nullptr);
        QVERIFY(findPixelType("rgba") == nullptr);
        QVERIFY(findPixelType("rgba32x") == nullptr);
    }

    void pixelTypes_areFoundByIdAndByName() {
        for (const PixelTypeInfo& type : kPixelTypes) {
            QCOMPARE(findPixelType(type.id), &type);
            QCOMPARE(findPixelType(type.name), &type);
            QCOMPARE(findPixelType(type.optionName()), &type);
            QCOMPARE(pixelTypeName(type.id), type.name);
        }
        QCOMPARE(pixelTypeName(PixelTypeId::L16), std::string_view("L16"));
        QVERIFY(findPixelType(PixelTypeId::Unknown) == nullptr);
        QCOMPARE(pixelTypeName(PixelTypeId::Unknown), std::string_view("unknown"));
        QCOMPARE(pixelTypeName(static_cast<PixelTypeId>(200)), std::string_view("unknown"));
    }

    void optionNames_areTheCommandLinesNamesInItsOrder() {
        std::string names;
        for (const PixelTypeInfo& type : kPixelTypes) {
            names += (names.empty() ? "" : "|") + type.optionName();
        }
        QCOMPARE(names, std::string("rgba32|bgra32|rgb24|l8|l16|rgbavector"));
    }

    void channels_describeEachPixelStruct() {
        QCOMPARE(findPixelType(Rgb24::kTypeId)->channels, Rgb24::kChannels);
        QCOMPARE(findPixelType(L16::kTypeId)->bytesPerChannel, 2);
        QCOMPARE(findPixelType(RgbaVector::kTypeId)->bytesPerChannel,
                 static_cast<int>(sizeof(float)));
    }
};

QTEST_GUILESS_MAIN(PixelTypeTableTest)
#include "PixelTypeTableTest.moc"
