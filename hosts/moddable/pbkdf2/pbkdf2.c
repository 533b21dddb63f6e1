// PBKDF2-HMAC (RFC 8018) with a derived key one digest long, SCRAM's Hi() (RFC 5802 §2.2), in C
// over the SDK's own SHA-1 and SHA-256 (modules/crypt/digest/kcl/fips180.c, which the firmware
// already links for `crypt`): in JavaScript the 4,096 iterations are 8,192 HMACs, seconds on an
// ESP32 with everything else stalled.

#include "xsmc.h"
#include "xsPlatform.h"
#include "fips180.h"
#include <string.h>

#define BLOCK_SIZE 64 // SHA-1 and SHA-256 alike
#define MAX_DIGEST SHA256_DGSTSIZE

typedef union {
	struct sha1 sha1;
	struct sha256 sha256;
} DigestState;

typedef struct {
	uint32_t digestSize;
	void (*create)(void *state);
	void (*update)(void *state, const void *data, uint32_t size);
	void (*fin)(void *state, uint8_t *digest);
} DigestKind;

static const DigestKind kSha1 = { SHA1_DGSTSIZE, (void *)sha1_create, (void *)sha1_update, (void *)sha1_fin };
static const DigestKind kSha256 = { SHA256_DGSTSIZE, (void *)sha256_create, (void *)sha256_update, (void *)sha256_fin };

// The digest states after the key's inner and outer pad blocks: every HMAC with this key starts
// from a copy of them, so one HMAC of a digest-long message costs two compressions, not four.
typedef struct {
	const DigestKind *kind;
	DigestState inner;
	DigestState outer;
} KeyedHmac;

static void keyHmac(KeyedHmac *hmac, const DigestKind *kind, const uint8_t *key, uint32_t keySize)
{
	uint8_t pad[BLOCK_SIZE];
	uint8_t hashed[MAX_DIGEST];
	uint32_t i;

	hmac->kind = kind;
	if (keySize > BLOCK_SIZE) {
		DigestState state;
		kind->create(&state);
		kind->update(&state, key, keySize);
		kind->fin(&state, hashed);
		key = hashed;
		keySize = kind->digestSize;
	}
	for (i = 0; i < BLOCK_SIZE; i++)
		pad[i] = (uint8_t)((i < keySize ? key[i] : 0) ^ 0x36);
	kind->create(&hmac->inner);
	kind->update(&hmac->inner, pad, BLOCK_SIZE);
	for (i = 0; i < BLOCK_SIZE; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	kind->create(&hmac->outer);
	kind->update(&hmac->outer, pad, BLOCK_SIZE);
	c_memset(pad, 0, sizeof(pad));
	c_memset(hashed, 0, sizeof(hashed));
}

// HMAC(key, first || second) into `out` (one digest long); `second` may be NULL.
static void runHmac(const KeyedHmac *hmac, const uint8_t *first, uint32_t firstSize, const uint8_t *second, uint32_t secondSize, uint8_t *out)
{
	DigestState state;
	const DigestKind *kind = hmac->kind;

	c_memcpy(&state, &hmac->inner, sizeof(state));
	kind->update(&state, first, firstSize);
	if (second)
		kind->update(&state, second, secondSize);
	kind->fin(&state, out);
	c_memcpy(&state, &hmac->outer, sizeof(state));
	kind->update(&state, out, kind->digestSize);
	kind->fin(&state, out);
}

// pbkdf2(algorithm "SHA-1" | "SHA-256", password, salt, iterations) -> ArrayBuffer, one digest long.
void xs_appliance_pbkdf2(xsMachine *the)
{
	static const uint8_t blockIndex[4] = { 0, 0, 0, 1 }; // INT(1), big-endian: the only block SCRAM needs
	xsNumberValue count = xsmcToNumber(xsArg(3)); // first: converting an object may run JavaScript
	const char *name = xsmcToString(xsArg(0));
	const DigestKind *kind = NULL;
	int32_t iterations, i;
	uint32_t k, size;
	uint8_t *bytes, *result;
	uint8_t u[MAX_DIGEST];
	KeyedHmac hmac;

	if (!c_strcmp(name, "SHA-1"))
		kind = &kSha1;
	else if (!c_strcmp(name, "SHA-256"))
		kind = &kSha256;
	else
		xsRangeError("pbkdf2: no digest %s (SHA-1 or SHA-256)", name);
	if (!(count >= 1) || count > 0x7FFFFFFF || count != (xsNumberValue)(int32_t)count)
		xsRangeError("pbkdf2: needs a whole number of iterations from 1 to 2147483647");
	iterations = (int32_t)count;

	// The buffers are read again after each step that may allocate: a collection can move them.
	xsmcGetBufferReadable(xsArg(1), (void **)&bytes, &size);
	keyHmac(&hmac, kind, bytes, size);
	xsmcGetBufferReadable(xsArg(2), (void **)&bytes, &size);
	runHmac(&hmac, bytes, size, blockIndex, sizeof(blockIndex), u);

	xsmcSetArrayBuffer(xsResult, u, kind->digestSize);
	xsmcGetBufferWritable(xsResult, (void **)&result, &size);
	for (i = 1; i < iterations; i++) {
		runHmac(&hmac, u, kind->digestSize, NULL, 0, u);
		for (k = 0; k < kind->digestSize; k++)
			result[k] ^= u[k];
	}
	c_memset(u, 0, sizeof(u));
	c_memset(&hmac, 0, sizeof(hmac));
}
