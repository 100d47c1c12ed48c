/* tests/rpc/test_topics.c — every event topic0 and function selector printed in
 * shared/reference/mainnet.md, recomputed from its canonical signature. The reference says
 * "recompute, never copy": a wrong hash there (or a wrong canonical signature here) fails.
 * The hashes below are copied from mainnet.md; the section each came from is named. */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/hex.h"
#include "rpc/keccak.h"

static const struct {
    const char *section, *signature, *topic0;
} events[] = {
    /* mainnet.md §2 "ERC-20 / WETH9" */
    {"ERC-20 / WETH9", "Transfer(address,address,uint256)",
     "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
    {"ERC-20 / WETH9", "Approval(address,address,uint256)",
     "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"},
    {"ERC-20 / WETH9", "Deposit(address,uint256)",
     "0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c"},
    {"ERC-20 / WETH9", "Withdrawal(address,uint256)",
     "0x7fcf532c15f0a6db0bd6d0e038bea71d30d808c7d98cb3bf7268a95bf5081b65"},
    /* mainnet.md §2 "Aave V3 Pool" */
    {"Aave V3 Pool", "Supply(address,address,address,uint256,uint16)",
     "0x2b627736bca15cd5381dcf80b0bf11fd197d01a037c52b927a881a10fb73ba61"},
    {"Aave V3 Pool", "Withdraw(address,address,address,uint256)",
     "0x3115d1449a7b732c986cba18244e897a450f61e1bb8d589cd2e69e6c8924f9f7"},
    {"Aave V3 Pool", "Borrow(address,address,address,uint256,uint8,uint256,uint16)",
     "0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0"},
    {"Aave V3 Pool", "Repay(address,address,address,uint256,bool)",
     "0xa534c8dbe71f871f9f3530e97a74601fea17b426cae02e1c5aee42c96c784051"},
    {"Aave V3 Pool", "LiquidationCall(address,address,address,uint256,uint256,address,bool)",
     "0xe413a321e8681d831f4dbccbca790d2952b56f977908e45be37335533e005286"},
    {"Aave V3 Pool", "ReserveUsedAsCollateralEnabled(address,address)",
     "0x00058a56ea94653cdf4f152d227ace22d4c00ad99e2a43f58cb7d9e3feb295f2"},
    {"Aave V3 Pool", "ReserveUsedAsCollateralDisabled(address,address)",
     "0x44c58d81365b66dd4b1a7f36c25aa97b8c71c361ee4937adc1a00000227db5dd"},
    {"Aave V3 Pool", "FlashLoan(address,address,address,uint256,uint8,uint256,uint16)",
     "0xefefaba5e921573100900a3ad9cf29f222d995fb3b6045797eaea7521bd8d6f0"},
    {"Aave V3 Pool", "UserEModeSet(address,uint8)",
     "0xd728da875fc88944cbf17638bcbe4af0eedaef63becd1d1c57cc097eb4608d84"},
    {"Aave V3 Pool", "ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)",
     "0x804c9b842b2748a22bb64b345453a3de7ca54a6ca45ce00d415894979e22897a"},
    {"Aave V3 Pool", "DeficitCreated(address,address,uint256)",
     "0x2bccfb3fad376d59d7accf970515eb77b2f27b082c90ed0fb15583dd5a942699"},
    /* mainnet.md §2 "Compound v3 Comet" */
    {"Compound v3 Comet", "Supply(address,address,uint256)",
     "0xd1cf3d156d5f8f0d50f6c122ed609cec09d35c9b9fb3fff6ea0959134dae424e"},
    {"Compound v3 Comet", "Withdraw(address,address,uint256)",
     "0x9b1bfa7fa9ee420a16e124f794c35ac9f90472acc99140eb2f6447c714cad8eb"},
    {"Compound v3 Comet", "SupplyCollateral(address,address,address,uint256)",
     "0xfa56f7b24f17183d81894d3ac2ee654e3c26388d17a28dbd9549b8114304e1f4"},
    {"Compound v3 Comet", "WithdrawCollateral(address,address,address,uint256)",
     "0xd6d480d5b3068db003533b170d67561494d72e3bf9fa40a266471351ebba9e16"},
    {"Compound v3 Comet", "TransferCollateral(address,address,address,uint256)",
     "0x29db89d45e1a802b4d55e202984fce9faf1d30aedf86503ff1ea0ed9ebb64201"},
    {"Compound v3 Comet", "AbsorbCollateral(address,address,address,uint256,uint256)",
     "0x9850ab1af75177e4a9201c65a2cf7976d5d28e40ef63494b44366f86b2f9412e"},
    {"Compound v3 Comet", "AbsorbDebt(address,address,uint256,uint256)",
     "0x1547a878dc89ad3c367b6338b4be6a65a5dd74fb77ae044da1e8747ef1f4f62f"},
    {"Compound v3 Comet", "BuyCollateral(address,address,uint256,uint256)",
     "0xf891b2a411b0e66a5f0a6ff1368670fefa287a13f541eb633a386a1a9cc7046b"},
    /* mainnet.md §2 "Morpho Blue" */
    {"Morpho Blue", "Supply(bytes32,address,address,uint256,uint256)",
     "0xedf8870433c83823eb071d3df1caa8d008f12f6440918c20d75a3602cda30fe0"},
    {"Morpho Blue", "Withdraw(bytes32,address,address,address,uint256,uint256)",
     "0xa56fc0ad5702ec05ce63666221f796fb62437c32db1aa1aa075fc6484cf58fbf"},
    {"Morpho Blue", "Borrow(bytes32,address,address,address,uint256,uint256)",
     "0x570954540bed6b1304a87dfe815a5eda4a648f7097a16240dcd85c9b5fd42a43"},
    {"Morpho Blue", "Repay(bytes32,address,address,uint256,uint256)",
     "0x52acb05cebbd3cd39715469f22afbf5a17496295ef3bc9bb5944056c63ccaa09"},
    {"Morpho Blue", "SupplyCollateral(bytes32,address,address,uint256)",
     "0xa3b9472a1399e17e123f3c2e6586c23e504184d504de59cdaa2b375e880c6184"},
    {"Morpho Blue", "WithdrawCollateral(bytes32,address,address,address,uint256)",
     "0xe80ebd7cc9223d7382aab2e0d1d6155c65651f83d53c8b9b06901d167e321142"},
    {"Morpho Blue", "Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)",
     "0xa4946ede45d0c6f06a0f5ce92c9ad3b4751452d2fe0e25010783bcab57a67e41"},
    {"Morpho Blue", "CreateMarket(bytes32,(address,address,address,address,uint256))",
     "0xac4b2400f169220b0c0afdde7a0b32e775ba727ea1cb30b35f935cdaab8683ac"},
    {"Morpho Blue", "AccrueInterest(bytes32,uint256,uint256,uint256)",
     "0x9d9bd501d0657d7dfe415f779a620a62b78bc508ddc0891fbbd8b7ac0f8fce87"},
};

/* mainnet.md §3 (view functions; Multicall3) and the ERC-20 line under it. */
static const struct {
    const char *section, *signature;
    uint32_t selector;
} functions[] = {
    {"Aave V3 Pool", "getUserAccountData(address)", 0xbf92857cu},
    {"Aave V3 Pool", "getReserveData(address)", 0x35ea6a75u},
    {"Aave V3 Pool", "getReservesList()", 0xd1946dbcu},
    {"Aave V3 Pool", "getUserConfiguration(address)", 0x4417a583u},
    {"Aave V3 Pool", "getUserEMode(address)", 0xeddf1b79u},
    {"Aave V3 Pool", "getReserveNormalizedIncome(address)", 0xd15e0053u},
    {"Aave V3 Pool", "getReserveNormalizedVariableDebt(address)", 0x386497fdu},
    {"AaveOracle", "getAssetPrice(address)", 0xb3596f07u},
    {"AaveOracle", "getAssetsPrices(address[])", 0x9d23d9f2u},
    {"AaveOracle", "BASE_CURRENCY_UNIT()", 0x8c89b64fu},
    {"PoolAddressesProvider", "getPool()", 0x026b1d5fu},
    {"PoolAddressesProvider", "getPriceOracle()", 0xfca513a8u},
    {"PoolAddressesProvider", "getPoolDataProvider()", 0xe860accbu},
    {"AaveProtocolDataProvider", "getUserReserveData(address,address)", 0x28dd2d01u},
    {"AaveProtocolDataProvider", "getReserveData(address)", 0x35ea6a75u},
    {"AaveProtocolDataProvider", "getAllReservesTokens()", 0xb316ff89u},
    {"AaveProtocolDataProvider", "getReserveTokensAddresses(address)", 0xd2493b6cu},
    {"AaveProtocolDataProvider", "getReserveConfigurationData(address)", 0x3e150141u},
    {"UiPoolDataProvider", "getUserReservesData(address,address)", 0x51974cc0u},
    {"Compound v3 Comet", "borrowBalanceOf(address)", 0x374c49b4u},
    {"Compound v3 Comet", "balanceOf(address)", 0x70a08231u},
    {"Compound v3 Comet", "collateralBalanceOf(address,address)", 0x5c2549eeu},
    {"Compound v3 Comet", "userCollateral(address,address)", 0x2b92a07du},
    {"Compound v3 Comet", "userBasic(address)", 0xdc4abafdu},
    {"Compound v3 Comet", "isLiquidatable(address)", 0x042e02cfu},
    {"Compound v3 Comet", "isBorrowCollateralized(address)", 0x38aa813fu},
    {"Compound v3 Comet", "numAssets()", 0xa46fe83bu},
    {"Compound v3 Comet", "getAssetInfo(uint8)", 0xc8c7fe6bu},
    {"Compound v3 Comet", "getPrice(address)", 0x41976e09u},
    {"Compound v3 Comet", "baseToken()", 0xc55dae63u},
    {"Compound v3 Comet", "baseTokenPriceFeed()", 0xe7dad6bdu},
    {"Morpho Blue", "position(bytes32,address)", 0x93c52062u},
    {"Morpho Blue", "market(bytes32)", 0x5c60e39au},
    {"Morpho Blue", "idToMarketParams(bytes32)", 0x2c3c9157u},
    {"Multicall3", "aggregate3((address,bool,bytes)[])", 0x82ad56cbu},
    {"Multicall3", "aggregate((address,bytes)[])", 0x252dba42u},
    {"Multicall3", "tryAggregate(bool,(address,bytes)[])", 0xbce38bd7u},
    {"Multicall3", "getEthBalance(address)", 0x4d2301ccu},
    {"Multicall3", "getBlockNumber()", 0x42cbb15cu},
    {"ERC-20", "balanceOf(address)", 0x70a08231u},
    {"ERC-20", "decimals()", 0x313ce567u},
};

Test(topics, every_event_topic0_in_mainnet_md_is_keccak_of_its_signature)
{
    cr_assert_eq(sizeof events / sizeof events[0], 32, "mainnet.md §2 lists 32 distinct events");
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        rpc_hash32 want, got = rpc_keccak_topic(events[i].signature);
        size_t n;
        cr_assert_eq(rpc_hex_decode(want.b, 32, &n, events[i].topic0, strlen(events[i].topic0)),
                     RPC_OK);
        cr_assert_eq(n, 32);
        cr_expect(memcmp(got.b, want.b, 32) == 0, "%s: %s", events[i].section,
                  events[i].signature);
    }
}

Test(topics, every_selector_in_mainnet_md_is_the_head_of_keccak_of_its_signature)
{
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        cr_expect_eq(rpc_keccak_selector(functions[i].signature), functions[i].selector,
                     "%s: %s", functions[i].section, functions[i].signature);
}
