/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c: the built-in detectors. An engine compiles in those a policy
 * rule can reach, in this order.
 */
#include "core/engine_int.h"

extern const lv_detector_ops lv_classified_marking_detector;
extern const lv_detector_ops lv_confidential_marking_detector;
extern const lv_detector_ops lv_finance_statement_detector;
extern const lv_detector_ops lv_pii_resident_id_detector;
extern const lv_detector_ops lv_pii_cn_mobile_detector;
extern const lv_detector_ops lv_pii_bank_card_detector;
extern const lv_detector_ops lv_pii_cn_uscc_detector;
extern const lv_detector_ops lv_pii_cn_passport_detector;
extern const lv_detector_ops lv_pii_email_detector;
extern const lv_detector_ops lv_pii_health_detector;
extern const lv_detector_ops lv_conduct_abusive_detector;
extern const lv_detector_ops lv_conduct_order_diversion_detector;

const lv_detector_ops *const lv_builtin_detectors[] = {
    &lv_classified_marking_detector, &lv_confidential_marking_detector,
    &lv_finance_statement_detector,  &lv_pii_resident_id_detector,
    &lv_pii_cn_mobile_detector,      &lv_pii_bank_card_detector,
    &lv_pii_cn_uscc_detector,        &lv_pii_cn_passport_detector,
    &lv_pii_email_detector,          &lv_pii_health_detector,
    &lv_conduct_abusive_detector,    &lv_conduct_order_diversion_detector,
};

const size_t lv_n_builtin_detectors =
    sizeof lv_builtin_detectors / sizeof lv_builtin_detectors[0];
