/* The error table: what `?... ERROR` says for each code. Codes are GW-BASIC's, so ERR in
 * an ON ERROR handler means what people remember; a core error is ERR 100 + wire code. */
#include "basic/internal.h"

struct error_text {
    int code;
    const char *text;
};

static const struct error_text error_texts[] = {
    { BAS_ERR_NEXT_WITHOUT_FOR, "NEXT WITHOUT FOR" },
    { BAS_ERR_SYNTAX, "SYNTAX ERROR" },
    { BAS_ERR_RETURN_WITHOUT_GOSUB, "RETURN WITHOUT GOSUB" },
    { BAS_ERR_ILLEGAL_FUNCTION, "ILLEGAL FUNCTION CALL" },
    { BAS_ERR_OVERFLOW, "OVERFLOW" },
    { BAS_ERR_OUT_OF_MEMORY, "OUT OF MEMORY" },
    { BAS_ERR_UNDEFINED_LINE, "UNDEFINED LINE NUMBER" },
    { BAS_ERR_BAD_SUBSCRIPT, "BAD SUBSCRIPT" },
    { BAS_ERR_REDIMENSIONED, "REDIMENSIONED ARRAY" },
    { BAS_ERR_DIVISION_BY_ZERO, "DIVISION BY ZERO" },
    { BAS_ERR_ILLEGAL_DIRECT, "ILLEGAL DIRECT" },
    { BAS_ERR_TYPE_MISMATCH, "TYPE MISMATCH" },
    { BAS_ERR_STRING_TOO_LONG, "STRING TOO LONG" },
    { BAS_ERR_FORMULA_TOO_COMPLEX, "FORMULA TOO COMPLEX" },
    { BAS_ERR_CANT_CONTINUE, "CAN'T CONTINUE" },
    { BAS_ERR_RESUME_WITHOUT_ERROR, "RESUME WITHOUT ERROR" },
    { BAS_ERR_FOR_WITHOUT_NEXT, "FOR WITHOUT NEXT" },
    { BAS_ERR_WHILE_WITHOUT_WEND, "WHILE WITHOUT WEND" },
    { BAS_ERR_WEND_WITHOUT_WHILE, "WEND WITHOUT WHILE" },
    { BAS_ERR_LINE_BUFFER_OVERFLOW, "LINE BUFFER OVERFLOW" },
    { BAS_ERR_FILE_NOT_FOUND, "FILE NOT FOUND" },
    { BAS_ERR_BAD_FILE_NAME, "BAD FILE NAME" },
    { BAS_ERR_DIRECT_IN_FILE, "DIRECT STATEMENT IN FILE" },
    { BAS_ERR_LINE_FAILED, "LINE FAILED" },
};

const char *bas_error_text(int code) {
    for (unsigned i = 0; i < sizeof(error_texts) / sizeof(error_texts[0]); i++)
        if (error_texts[i].code == code) return error_texts[i].text;
    return "UNPRINTABLE ERROR";
}
