{
  "targets": [
    {
      "target_name": "tsmpi_futex",
      "sources": ["native/futex.c"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
