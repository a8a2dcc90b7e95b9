# model fuzz7027, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sqrt((torch.abs(torch.relu(x)) + torch.tensor(0.5)))
    logits = F.linear(torch.flatten(v1, 1), t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.sum(logits))
