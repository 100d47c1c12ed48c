// tests/rpc/gen_abi_vectors.mjs — how the viem-made ABI vectors in test_abi.c were produced:
// `node tests/rpc/gen_abi_vectors.mjs` from the repo root (viem from node_modules).
import { encodeFunctionData, encodeAbiParameters, encodeEventTopics, parseAbi, parseAbiItem } from 'viem';
const mc3 = parseAbi(['function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[] returnData)']);
const bal = encodeFunctionData({ abi: parseAbi(['function balanceOf(address) view returns (uint256)']), functionName: 'balanceOf', args: ['0x28C6c06298d514Db089934071355E5743bf21d60'] });
const dec = encodeFunctionData({ abi: parseAbi(['function decimals() view returns (uint8)']), functionName: 'decimals' });
console.log('aggregate3 calldata', encodeFunctionData({ abi: mc3, functionName: 'aggregate3', args: [[
  { target: '0xdAC17F958D2ee523a2206206994597C13D831ec7', allowFailure: true, callData: bal },
  { target: '0xdAC17F958D2ee523a2206206994597C13D831ec7', allowFailure: false, callData: dec },
  { target: '0xcA11bde05977b3631167028862bE2a173976CA11', allowFailure: true, callData: '0x' },
]] }));
console.log('aggregate3 return', encodeAbiParameters(
  [{ type: 'tuple[]', components: [{ type: 'bool' }, { type: 'bytes' }] }],
  [[[true, encodeAbiParameters([{ type: 'uint256' }], [123456789012345n])],
    [false, '0x08c379a0' + encodeAbiParameters([{ type: 'string' }], ['nope']).slice(2)],
    [true, '0x']]]));
console.log('g calldata', encodeFunctionData({ abi: parseAbi(['function g(uint256[][],string[])']), functionName: 'g', args: [[[1n, 2n], [3n]], ['one', 'two', 'three']] }));
const supply = parseAbiItem('event Supply(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint16 indexed referralCode)');
console.log('supply topics', encodeEventTopics({ abi: [supply], eventName: 'Supply', args: {
  reserve: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', onBehalfOf: '0xFaf1358Fe6a9FA29A169Dfc272B14E709f54840f', referralCode: 0 } }).join(' '));
console.log('supply data', encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }],
  ['0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F', 30000000000000000000000n]));
console.log('userBasic return', encodeAbiParameters(
  [{ type: 'int104' }, { type: 'uint64' }, { type: 'uint64' }, { type: 'uint16' }, { type: 'uint8' }],
  [-30000000000000n, 1000000000000000n, 42n, 5n, 0n]));
