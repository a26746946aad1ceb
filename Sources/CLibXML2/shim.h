#ifndef ESTATE_CLIBXML2_SHIM_H
#define ESTATE_CLIBXML2_SHIM_H
/* libxml2 2.9.x: the parser, the tree, structured errors and XSD validation (LibXML). */
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#endif
