// tests/rpc/gen_tx_vectors.mjs — how the signed-transaction vectors in test_tx.c were made:
// `node tests/rpc/gen_tx_vectors.mjs` from the repo root (viem from node_modules). The key is
// EIP-155's example key 0x4646...46; every printed value is pasted into test_tx.c.
import { privateKeyToAccount } from 'viem/accounts';
import { serializeTransaction, keccak256, parseGwei, parseEther } from 'viem';
import { hashAuthorization } from 'viem/utils';
const pk = '0x' + '46'.repeat(32);
const acct = privateKeyToAccount(pk);
console.log('sender', acct.address);
const to = '0x3535353535353535353535353535353535353535';
const txs = {
  eip155: { type: 'legacy', nonce: 9, gasPrice: parseGwei('20'), gas: 21000n, to, value: parseEther('1'), chainId: 1 },
  legacy_pre155: { type: 'legacy', nonce: 0, gasPrice: parseGwei('1'), gas: 53000n, value: 0n, data: '0x6001600055' },
  eip2930: { type: 'eip2930', chainId: 1, nonce: 3, gasPrice: parseGwei('30'), gas: 60000n, to, value: 123456789n, data: '0xdeadbeef',
    accessList: [{ address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', storageKeys: ['0x' + '00'.repeat(31) + '01', '0x' + 'ab'.repeat(32)] }] },
  eip1559: { type: 'eip1559', chainId: 1, nonce: 1234, maxPriorityFeePerGas: parseGwei('2'), maxFeePerGas: parseGwei('80'), gas: 250000n,
    to: '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2', value: 0n,
    data: '0x617ba037000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc20000000000000000000000000000000000000000000000000de0b6b3a76400000000000000000000000000009d8a62f656a8d1615c1294fd71e9cfb3e4855a4f0000000000000000000000000000000000000000000000000000000000000000' },
  eip1559_create: { type: 'eip1559', chainId: 31337, nonce: 0, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n, gas: 100000n, value: 0n, data: '0x6001600055' },
  eip4844: { type: 'eip4844', chainId: 1, nonce: 7, maxPriorityFeePerGas: parseGwei('1'), maxFeePerGas: parseGwei('50'), gas: 21000n, to, value: 0n,
    maxFeePerBlobGas: parseGwei('3'), blobVersionedHashes: ['0x01' + '11'.repeat(31), '0x01' + '22'.repeat(31)] },
};
const auth = await acct.signAuthorization({ chainId: 1, nonce: 5, contractAddress: '0x' + '77'.repeat(20) });
console.log('authorization hash', hashAuthorization({ chainId: 1, nonce: 5, contractAddress: '0x' + '77'.repeat(20) }));
txs.eip7702 = { type: 'eip7702', chainId: 1, nonce: 4, maxPriorityFeePerGas: parseGwei('1'), maxFeePerGas: parseGwei('40'), gas: 80000n, to, value: 0n, data: '0x',
  authorizationList: [auth] };
for (const [k, tx] of Object.entries(txs)) {
  const unsigned = serializeTransaction(tx);
  const raw = await acct.signTransaction(tx);
  console.log(k, '\n  unsigned', unsigned, '\n  sighash ', keccak256(unsigned), '\n  raw     ', raw, '\n  hash    ', keccak256(raw));
}
