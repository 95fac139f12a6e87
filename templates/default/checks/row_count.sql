SELECT COUNT(*) FROM {{ table | ident }}
