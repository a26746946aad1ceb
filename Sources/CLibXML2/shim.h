#ifndef ESTATE_CLIBXML2_SHIM_H
#define ESTATE_CLIBXML2_SHIM_H
/* libxml2 2.9.x: the parser, the tree, structured errors and XSD validation (LibXML). */
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, so encoding.h would pull in <unicode/ucnv.h>, whose UErrorCode
 * clashes with the ICU that Foundation carries ("different definitions" in the module cache).
 * LibXML never touches encoding handlers (only pointers to them), so hide the ICU members. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#endif
