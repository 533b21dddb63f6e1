// What PWM frequencies the boards can make: the ESP32's LEDC at the resolution the firmware
// asks for. A declaration outside them is refused when it is read, not when the pin is opened on
// a board (where the SDK's PWM throws "invalid combination of hz and resolution").

/** Bits of duty resolution every runtime's PWM outputs use (hosts/moddable/pins.ts, hosts/sim). */
export const PWM_RESOLUTION = 10;

/**
 * The LEDC's range at PWM_RESOLUTION bits: the SDK's lowest frequency per resolution
 * (modules/io/pwm/esp32/_pwm.c, MIN_HZ: 17 Hz at 10 bits on the ESP32), and its 80 MHz clock
 * divided by 2^bits at the top (78,125 Hz).
 */
export const PWM_HZ = { min: 17, max: 80_000_000 / 2 ** PWM_RESOLUTION } as const;
