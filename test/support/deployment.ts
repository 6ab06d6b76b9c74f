/** The GHL location the test deployments serve (GHL_LOCATION_ID): fixtures carry it, so they are accepted. */
export const TEST_LOCATION_ID = 'loc_test';
