// What the SDK's `ota` module (build/devices/esp32/modules/ota: it writes the inactive partition
// and sets it to boot) leaves out, and an update on trial needs: whether the running image is on
// trial (booted by an update and not confirmed yet), keeping it, going back to the previous one,
// and the restart. ESP-IDF's app rollback (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE, set in
// ./sdkconfig/sdkconfig.defaults) does the rest: a trial image not confirmed before the next restart is
// abandoned by the bootloader for the previous one.

#include "xsmc.h"
#include "xsPlatform.h"
#include "app_update/include/esp_ota_ops.h"
#include "esp_system.h"

void xs_appliance_ota_trial(xsMachine *the)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	xsmcSetBoolean(xsResult, (NULL != running) && (ESP_OK == esp_ota_get_state_partition(running, &state)) && (ESP_OTA_IMG_PENDING_VERIFY == state));
}

void xs_appliance_ota_confirm(xsMachine *the)
{
	if (ESP_OK != esp_ota_mark_app_valid_cancel_rollback())
		xsUnknownError("cannot mark the running image valid");
}

void xs_appliance_ota_rollback(xsMachine *the)
{
	// Marks the running image invalid and restarts on the previous one; returns only when there is none.
	esp_ota_mark_app_invalid_rollback_and_reboot();
	xsUnknownError("there is no previous image to go back to");
}

void xs_appliance_restart(xsMachine *the)
{
	esp_restart();
}
